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

    public void Save(int epoch, IReadOnlyList<EpochMetrics> history, ConvNetModule network, TorchSharp.Modules.OptimizerHelper optimizer, EarlyStopping? stopping)
    {
        using var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        CheckpointFormat.Write(PathOf(epoch), new CheckpointFormat.Content(_fingerprint, epoch, history.ToList(), network.SnapshotWeights(), state.ToArray(), stopping?.Current));
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
            {
                throw new InvalidOperationException(
                    $"The checkpoint '{file}' was written by a different training run ({content.Fingerprint}); this run is ({_fingerprint}). " +
                    "Resume with the same options, data and seed, or point CheckpointDirectory at an empty folder.");
            }
            network.LoadWeights(content.Weights);
            using var reader = new BinaryReader(new MemoryStream(content.OptimizerState));
            optimizer.load_state_dict(reader);
            return content;
        }
        return null;
    }
}
