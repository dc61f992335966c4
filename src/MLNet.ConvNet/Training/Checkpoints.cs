using MLNet.ConvNet.Architectures;

namespace MLNet.ConvNet.Training;

/// <summary>The checkpoint folder: one file per completed epoch, and resuming from the newest good one.</summary>
internal sealed class Checkpoints
{
    private readonly string _directory;
    private readonly string _fingerprint;

    public Checkpoints(string directory, string fingerprint)
    {
        _directory = directory;
        _fingerprint = fingerprint;
        Directory.CreateDirectory(directory);
    }

    public string PathOf(int epoch) => Path.Combine(_directory, $"epoch-{epoch:D4}.ckpt");

    public void Save(int epoch, IReadOnlyList<EpochMetrics> history, ConvNetModule network, TorchSharp.Modules.OptimizerHelper optimizer, EarlyStopping? stopping, (IReadOnlyList<WeightTensor> Weights, long Steps)? average)
    {
        using var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        CheckpointFormat.Write(PathOf(epoch), new CheckpointFormat.Content(_fingerprint, epoch, history.ToList(), network.SnapshotWeights(), state.ToArray(), stopping?.Current,
            average?.Weights, average?.Steps ?? 0));
    }

    /// <summary>
    /// Restores the newest checkpoint that reads back whole into the model and the optimizer and returns it;
    /// null when the folder has none. Damaged files are skipped (the log says so).
    /// </summary>
    /// <exception cref="InvalidOperationException">The newest good checkpoint was written by a run with other options or data.</exception>
    public CheckpointFormat.Content? Resume(ConvNetModule network, TorchSharp.Modules.OptimizerHelper optimizer, Action<string> warn)
    {
        var files = Directory.GetFiles(_directory, "epoch-*.ckpt").OrderByDescending(f => f, StringComparer.Ordinal);
        foreach (var file in files)
        {
            CheckpointFormat.Content content;
            try
            {
                content = CheckpointFormat.Read(file, network);
            }
            catch (InvalidDataException e)
            {
                warn($"Skipping checkpoint: {e.Message}");
                continue;
            }
            if (content.Fingerprint != _fingerprint)
                throw OtherRun(file, content.Fingerprint, _fingerprint);
            network.LoadWeights(content.Weights);
            using var reader = new BinaryReader(new MemoryStream(content.OptimizerState));
            optimizer.load_state_dict(reader);
            return content;
        }
        return null;
    }

    /// <summary>
    /// Before the data is read: refuses a folder whose newest readable checkpoint was written with other settings than
    /// <paramref name="fingerprint"/>'s, its data sizes aside (those are known, and checked, once the data is read).
    /// </summary>
    /// <exception cref="InvalidOperationException">The checkpoint was written by a run with other settings.</exception>
    public static void CheckSettings(string directory, string fingerprint)
    {
        if (!Directory.Exists(directory))
            return;
        foreach (var file in Directory.GetFiles(directory, "epoch-*.ckpt").OrderByDescending(f => f, StringComparer.Ordinal))
        {
            if (CheckpointFormat.ReadFingerprint(file) is not { } written)
                continue; // damaged: Resume skips it, with a warning
            if (WithoutRows(written) != WithoutRows(fingerprint))
                throw OtherRun(file, written, fingerprint);
            return;
        }
    }

    private static string WithoutRows(string fingerprint)
        => System.Text.RegularExpressions.Regex.Replace(fingerprint, @"\d+ training rows, \d+ validation rows, ", "");

    private static InvalidOperationException OtherRun(string file, string written, string fingerprint) => new(
        $"The checkpoint '{file}' was written by a different training run ({written}); this run is ({fingerprint}). " +
        "Resume with the same options, data and seed, or point CheckpointDirectory at an empty folder.");
}
