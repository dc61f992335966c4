/// <summary>A one-line progress bar on the console, driven by the trainer's per-batch progress reports.</summary>
internal sealed class ProgressBar : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress p)
    {
        const int width = 30;
        int filled = (int)Math.Round(width * (double)p.Batch / p.Batches);
        Console.Write($"\r  epoch {p.Epoch}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] {p.Batch}/{p.Batches} " +
            $"loss {p.Loss:F4} accuracy {p.Accuracy:P1} lr {p.LearningRate:G3} elapsed {p.Elapsed:mm\\:ss} left {p.Remaining:mm\\:ss}   ");
        if (p.Batch == p.Batches)
            Console.Write("\r" + new string(' ', 120) + "\r");
    }
}
