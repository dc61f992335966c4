namespace ServingApi;

/// <summary>
/// Holds the model that serves, and swaps it live: when the model file is replaced (best written to a temporary name and
/// renamed over it, as MLNet.ConvNet's own saves do) the new file is loaded in the background and switched in atomically.
/// Requests in flight finish on the model they started with, which is freed when the last of them ends. A file that fails
/// to load is logged and reported by /health, and the old model keeps serving.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private readonly ServingOptions _options;
    private readonly ILogger<ModelHost> _logger;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _debounce;
    private readonly object _reloading = new();
    private LoadedModel _current;
    private int _swaps;
    private string? _lastReloadError;

    /// <exception cref="Exception">The model cannot be loaded at start; the message says why.</exception>
    public ModelHost(ServingOptions options, ILogger<ModelHost> logger)
    {
        _options = options;
        _logger = logger;
        _current = Load(options.Model, LoadedModel.HashOf(options.Model));
        _logger.LogInformation("Serving {File} ({Architecture} on {Shape} images, {Classes} classes) with {Engine}.", _current.File, _current.Architecture, _current.InputShape, _current.Classes.Count, _current.Engine);
        _debounce = new Timer(_ => Reload());
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(options.Model)!, Path.GetFileName(options.Model))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        // A rename over the file, a new file, or writes to it: reload once things have been quiet for a moment.
        _watcher.Changed += (_, _) => ScheduleReload();
        _watcher.Created += (_, _) => ScheduleReload();
        _watcher.Renamed += (_, e) => { if (string.Equals(e.FullPath, options.Model, StringComparison.Ordinal)) ScheduleReload(); };
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>The model a new request uses, leased until the request releases it.</summary>
    public LoadedModel Acquire()
    {
        while (true)
        {
            var model = Volatile.Read(ref _current);
            if (model.TryAcquire())
                return model;
        }
    }

    /// <summary>What /health reports.</summary>
    public object Describe()
    {
        var model = Volatile.Read(ref _current);
        return new
        {
            status = "ready",
            file = model.File,
            sha256 = model.Sha256,
            loadedAt = model.LoadedAt,
            engine = model.Engine,
            architecture = model.Architecture,
            inputShape = model.InputShape,
            classes = model.Classes,
            enginesCreated = model.EnginesCreated,
            swaps = Volatile.Read(ref _swaps),
            lastReloadError = Volatile.Read(ref _lastReloadError),
            libtorchLoaded = LibTorchLoaded(),
        };
    }

    /// <summary>Loads the file now and switches to it (the watcher calls this; so may a caller that knows the file changed).</summary>
    public void Reload()
    {
        lock (_reloading)
        {
            LoadedModel fresh;
            try
            {
                // The same bytes as the model serving (a touch, a copy of the same file): nothing to load.
                string sha256 = LoadedModel.HashOf(_options.Model);
                if (sha256 == Volatile.Read(ref _current).Sha256)
                    return;
                fresh = Load(_options.Model, sha256);
            }
            catch (Exception e)
            {
                Volatile.Write(ref _lastReloadError, $"{DateTimeOffset.UtcNow:O}: {e.GetType().Name}: {e.Message}");
                _logger.LogError("The model file {File} changed but cannot be loaded; the previous model keeps serving. {Error}", _options.Model, e.Message);
                return;
            }
            var old = Interlocked.Exchange(ref _current, fresh);
            Interlocked.Increment(ref _swaps);
            Volatile.Write(ref _lastReloadError, null);
            old.Retire();
            _logger.LogInformation("Switched to the new {File} ({Sha}).", fresh.File, fresh.Sha256[..12]);
        }
    }

    private void ScheduleReload() => _debounce.Change(TimeSpan.FromMilliseconds(200), Timeout.InfiniteTimeSpan);

    private LoadedModel Load(string path, string sha256) => Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase)
        ? new OnnxModel(path, sha256, _options)
        : new ZipModel(path, sha256, _options);

    /// <summary>Whether this process has loaded libtorch (an ONNX model never does), from /proc/self/maps on Linux.</summary>
    private static bool? LibTorchLoaded()
    {
        const string maps = "/proc/self/maps";
        return File.Exists(maps) ? File.ReadLines(maps).Any(l => l.Contains("libtorch", StringComparison.Ordinal)) : null;
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _debounce.Dispose();
        Volatile.Read(ref _current).Retire();
    }
}
