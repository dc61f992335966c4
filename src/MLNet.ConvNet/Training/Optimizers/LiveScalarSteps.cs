using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Training;

/// <summary>
/// TorchSharp's RMSprop, Adam, AdamW and SGD with the same arithmetic, op for op (so the same weights, bit for bit, and
/// the same state for checkpoints), but every <see cref="Scalar"/> they pass to libtorch created explicitly and disposed
/// after the call.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's own steps pass numbers such as <c>1 - alpha</c> as implicitly converted Scalars, which a
/// finalizer frees and nothing keeps alive during the native call that reads them: a garbage collection in that window
/// frees the Scalar under libtorch. Training then stops with "Expected false to be true" or "Unknown scalar type" from
/// inside <c>addcmul_</c>, or takes a step with a wrong number. It happened once in about 30 benchmark runs, and in 4 of
/// 5 runs of 2,000 RMSprop steps with another thread collecting garbage (test/MLNet.ConvNet.Tests/Native/ScalarLifetimeTests.cs).
/// Only the settings the library's optimizers offer are implemented: no maximize, AMSGrad, centred RMSprop or RMSprop momentum.
/// </remarks>
internal static class LiveScalarSteps
{
    /// <summary>RMSprop (momentum 0, not centred), as <c>torch.optim.RMSProp</c>.</summary>
    public sealed class RMSProp(IEnumerable<Parameter> parameters, double lr, double alpha, double eps, double weightDecay)
        : TorchSharp.Modules.RMSProp(parameters, lr, alpha, eps, weightDecay, momentum: 0, centered: false, maximize: false)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            double alpha = Set(options.alpha), eps = Set(options.eps), weightDecay = Set(options.weight_decay), lr = Set(options.LearningRate);
            using Scalar keep = alpha.ToScalar(), take = (1 - alpha).ToScalar(), epsilon = eps.ToScalar(), rate = (-lr).ToScalar(), decay = weightDecay.ToScalar(), one = 1.ToScalar();
            foreach (var param in group.Parameters)
            {
                var state = (State)_state[param.Handle];
                var grad = param.grad;
                if (grad is null)
                    continue;
                state.step += 1;
                if (weightDecay != 0)
                    grad = grad.add(param, decay);
                state.square_avg.mul_(keep).addcmul_(grad, grad, take);
                var avg = state.square_avg.sqrt().add_(epsilon, one); // add_(Scalar) alone makes its alpha of 1 implicitly
                param.addcdiv_(grad, avg, rate);
            }
        }, closure);
    }

    /// <summary>Adam (no AMSGrad), as <c>torch.optim.Adam</c>: the weight decay is added to the gradient.</summary>
    public sealed class Adam(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weightDecay)
        : TorchSharp.Modules.Adam(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad: false, maximize: false)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var o = (Options)group.Options;
            var hyper = new Moments(Set(o.beta1), Set(o.beta2), Set(o.eps), Set(o.LearningRate));
            double weightDecay = Set(o.weight_decay);
            using Scalar decay = weightDecay.ToScalar();
            foreach (var param in group.Parameters)
            {
                var state = (State)_state[param.Handle];
                var grad = param.grad;
                if (grad is null)
                    continue;
                state.step += 1;
                if (weightDecay != 0)
                    grad = grad.add(param, decay);
                hyper.Update(param, grad, grad.conj(), state.exp_avg, state.exp_avg_sq, state.step);
            }
        }, closure);
    }

    /// <summary>AdamW (no AMSGrad), as <c>torch.optim.AdamW</c>: the weight decay shrinks the weights themselves.</summary>
    public sealed class AdamW(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weightDecay)
        : TorchSharp.Modules.AdamW(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad: false, maximize: false)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var o = (Options)group.Options;
            var hyper = new Moments(Set(o.beta1), Set(o.beta2), Set(o.eps), Set(o.LearningRate));
            using Scalar shrink = (1 - hyper.LearningRate * Set(o.weight_decay)).ToScalar();
            foreach (var param in group.Parameters)
            {
                var state = (State)_state[param.Handle];
                var grad = param.grad;
                if (grad is null)
                    continue;
                state.step += 1;
                param.mul_(shrink);
                hyper.Update(param, grad, grad, state.exp_avg, state.exp_avg_sq, state.step);
            }
        }, closure);
    }

    /// <summary>SGD with optional momentum and Nesterov, as <c>torch.optim.SGD</c> (dampening 0).</summary>
    public sealed class Sgd(IEnumerable<Parameter> parameters, double lr, double momentum, double weightDecay, bool nesterov)
        : SGD(parameters, lr, momentum, dampening: 0, weightDecay, nesterov, maximize: false)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var o = group.Options;
            double momentum = Set(o.momentum), dampening = Set(o.dampening), weightDecay = Set(o.weight_decay);
            bool nesterov = Set(o.nesterov);
            using Scalar decay = weightDecay.ToScalar(), keep = momentum.ToScalar(), take = (1 - dampening).ToScalar(), rate = (-Set(o.LearningRate)).ToScalar();
            foreach (var param in group.Parameters)
            {
                var state = (State)_state[param.Handle];
                var grad = param.grad;
                if (grad is null)
                    continue;
                if (weightDecay != 0)
                    grad = grad.add(param, decay);
                if (momentum != 0)
                {
                    var buffer = state.momentum_buffer;
                    if (buffer is null)
                        buffer = grad.clone().detach().DetachFromDisposeScope();
                    else
                        buffer.mul_(keep).add_(grad, take);
                    grad = nesterov ? grad.add(buffer, keep) : buffer;
                    state.momentum_buffer = buffer;
                }
                param.add_(grad, rate);
            }
        }, closure);
    }

    /// <summary>An option TorchSharp's add_param_group fills in for every group.</summary>
    private static T Set<T>(T? value) where T : struct
        => value ?? throw new InvalidOperationException("TorchSharp left an optimizer option unset; add_param_group sets every one.");

    /// <summary>The moment updates and the step Adam and AdamW share, with their Scalars made once per group.</summary>
    private readonly record struct Moments(double Beta1, double Beta2, double Eps, double LearningRate)
    {
        public void Update(Tensor param, Tensor grad, Tensor gradConjugate, Tensor expAvg, Tensor expAvgSq, long step)
        {
            double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
            using Scalar beta1 = Beta1.ToScalar(), take1 = (1 - Beta1).ToScalar(), beta2 = Beta2.ToScalar(), take2 = (1 - Beta2).ToScalar();
            using Scalar root = Math.Sqrt(correction2).ToScalar(), eps = Eps.ToScalar(), rate = (-(LearningRate / correction1)).ToScalar(), one = 1.ToScalar();
            expAvg.mul_(beta1).add_(grad, take1);
            expAvgSq.mul_(beta2).addcmul_(grad, gradConjugate, take2);
            var denominator = expAvgSq.sqrt().div(root).add_(eps, one); // add_(Scalar) alone makes its alpha of 1 implicitly
            param.addcdiv_(expAvg, denominator, rate);
        }
    }
}
