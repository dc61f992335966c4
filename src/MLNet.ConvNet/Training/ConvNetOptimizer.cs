using MLNet.ConvNet.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Training;

/// <summary>The optimizer that updates the weights.</summary>
public enum ConvNetOptimizer
{
    /// <summary>RMSprop with Keras' settings: rho 0.9, epsilon 1e-7 (<see cref="ConvNetTrainer.Options.Rho"/>, <see cref="ConvNetTrainer.Options.Epsilon"/>).</summary>
    RMSprop,
    /// <summary>Adam (<see cref="ConvNetTrainer.Options.Beta1"/>, <see cref="ConvNetTrainer.Options.Beta2"/>); weight decay is an L2 penalty added to the gradient.</summary>
    Adam,
    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW,
    /// <summary>Stochastic gradient descent, with <see cref="ConvNetTrainer.Options.Momentum"/> and optional Nesterov momentum.</summary>
    Sgd,
}

/// <summary>Creates the TorchSharp optimizer for the resolved settings and sets its learning rate.</summary>
internal static class OptimizerFactory
{
    public static TorchSharp.Modules.OptimizerHelper Create(ConvNetModel model, TrainingSettings s)
    {
        var parameters = model.parameters();
        return s.Optimizer switch
        {
            ConvNetOptimizer.RMSprop => optim.RMSProp(parameters, lr: s.LearningRate, alpha: s.Rho, eps: s.Epsilon, weight_decay: s.WeightDecay),
            ConvNetOptimizer.Adam => optim.Adam(parameters, lr: s.LearningRate, beta1: s.Beta1, beta2: s.Beta2, eps: s.Epsilon, weight_decay: s.WeightDecay),
            ConvNetOptimizer.AdamW => optim.AdamW(parameters, lr: s.LearningRate, beta1: s.Beta1, beta2: s.Beta2, eps: s.Epsilon, weight_decay: s.WeightDecay),
            ConvNetOptimizer.Sgd => optim.SGD(parameters, s.LearningRate, momentum: s.Momentum, weight_decay: s.WeightDecay, nesterov: s.Nesterov),
            _ => throw new ArgumentOutOfRangeException(nameof(s), s.Optimizer, "Unknown optimizer."),
        };
    }

    public static void SetLearningRate(optim.Optimizer optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = learningRate;
    }
}
