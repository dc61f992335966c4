using System.Globalization;
using MLNet.ConvNet.Common;
using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.ConvNet;

/// <summary>
/// The optimizer that updates the weights: <see cref="RMSpropOptimizer"/> (the default, with Keras' settings),
/// <see cref="AdamOptimizer"/>, <see cref="AdamWOptimizer"/> or <see cref="SgdOptimizer"/>. Each one carries its own
/// settings, with their defaults, and checks them when it is created; the learning rate and its schedule are the
/// trainer's options, shared by all.
/// </summary>
/// <remarks>
/// A closed set: adding an optimizer is one new sealed subclass in its own file (Training/Optimizers), plus tests.
/// </remarks>
public abstract class ConvNetOptimizer
{
    private protected ConvNetOptimizer() { }

    /// <summary>The optimizer's name, such as <c>RMSprop</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The TorchSharp optimizer over <paramref name="parameters"/>, starting at <paramref name="learningRate"/>.</summary>
    internal abstract OptimizerHelper Create(IEnumerable<Parameter> parameters, double learningRate);

    /// <summary>A further group of parameters for an optimizer <see cref="Create"/> made, with a learning rate of its own (fine-tuning's pretrained layers).</summary>
    internal abstract ParamGroup Group(IEnumerable<Parameter> parameters, double learningRate);

    /// <summary>Every setting by name and value, in the invariant culture, such as <c>rho 0.9, epsilon 1E-07</c>.</summary>
    private protected abstract string Settings { get; }

    /// <summary>The name and every setting, as the training log and a checkpoint's fingerprint show them.</summary>
    public override string ToString() => $"{Name}({Settings})";

    /// <summary>
    /// Sets the learning rate of every parameter group, as the schedule asks, times the group's factor
    /// (<paramref name="factors"/>, one per group; null for 1 throughout).
    /// </summary>
    internal static void SetLearningRate(torch.optim.Optimizer optimizer, double learningRate, IReadOnlyList<double>? factors = null)
    {
        int i = 0;
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = learningRate * (factors?[i++] ?? 1);
    }

    /// <summary>Returns <paramref name="value"/>, or throws with the setting's name, what it must be and what it got.</summary>
    private protected static double Check(double value, bool valid, string name, string expected)
        => Ranges.Check(value, valid && !double.IsNaN(value), name, expected);

    /// <summary>Formats a setting's value for <see cref="Settings"/>.</summary>
    private protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
