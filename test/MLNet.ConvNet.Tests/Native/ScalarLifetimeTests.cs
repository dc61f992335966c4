using System.Reflection;
using MLNet.ConvNet.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Tests.Native;

/// <summary>
/// TorchSharp frees an implicitly converted Scalar in its finalizer and keeps nothing alive while libtorch reads it, so
/// a garbage collection during the native call frees it under libtorch (see Training/Optimizers/LiveScalarSteps.cs).
/// The library's code never hands libtorch such a Scalar: its optimizers step with Scalars they dispose after the call,
/// and a scan of its IL fails on any call that would make one.
/// </summary>
[TestClass]
public sealed class ScalarLifetimeTests
{
    private static readonly Assembly TorchSharpAssembly = typeof(torch).Assembly;

    public static IEnumerable<object[]> Optimizers =>
    [
        [new RMSpropOptimizer(), "RMSprop"],
        [new RMSpropOptimizer(weightDecay: 0.01), "RMSprop with weight decay"],
        [new AdamOptimizer(weightDecay: 0.01), "Adam"],
        [new AdamWOptimizer(weightDecay: 0.05), "AdamW"],
        [new SgdOptimizer(momentum: 0.9, nesterov: true, weightDecay: 0.01), "SGD with Nesterov momentum"],
        [new SgdOptimizer(momentum: 0.9), "SGD with momentum"],
    ];

    [TestMethod]
    [DynamicData(nameof(Optimizers))]
    public void EveryOptimizer_UnderConstantGarbageCollection_StepsExactlyAsTorchSharpsOwn(ConvNetOptimizer optimizer, string name)
    {
        TestSetup.EnsureRegistered();
        _ = ArchitectureRegistry.Get("LeNot"); // any call that loads libtorch
        var ours = Train(parameters => optimizer.Create(parameters, 0.01), collectGarbage: true);
        var theirs = Train(parameters => TorchSharpsOwn(optimizer, parameters, 0.01), collectGarbage: false);
        CollectionAssert.AreEqual(theirs, ours, $"{name}: the library's step must be TorchSharp's, bit for bit, and survive the collector.");
    }

    /// <summary>300 steps of a small two-layer network; another thread collects garbage throughout when asked.</summary>
    private static float[] Train(Func<IEnumerable<TorchSharp.Modules.Parameter>, TorchSharp.Modules.OptimizerHelper> create, bool collectGarbage)
    {
        new ImageAugmentation().Apply([0f], new ImageShape(1, 1, 1), 0); // loads libtorch the library's way
        torch.manual_seed(3);
        using var model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10));
        using var optimizer = create(model.parameters());
        bool stop = false;
        var collector = new Thread(() =>
        {
            // A collection every millisecond or so: hundreds within the steps, while the stepping thread still runs between
            // them (back to back, they starve it by an amount that depends on what else the process has loaded).
            while (!Volatile.Read(ref stop))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Thread.Sleep(1);
            }
        });
        if (collectGarbage)
            collector.Start();
        try
        {
            for (int step = 0; step < 300; step++)
            {
                using var scope = torch.NewDisposeScope();
                torch.manual_seed(step);
                var x = torch.randn(16, 32);
                var y = torch.randint(0, 10, [16]);
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(x), y).backward();
                optimizer.step();
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            if (collectGarbage)
                collector.Join();
        }
        return model.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
    }

    private static TorchSharp.Modules.OptimizerHelper TorchSharpsOwn(ConvNetOptimizer optimizer, IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr) => optimizer switch
    {
        RMSpropOptimizer r => torch.optim.RMSProp(parameters, lr, alpha: r.Rho, eps: r.Epsilon, weight_decay: r.WeightDecay),
        AdamWOptimizer a => torch.optim.AdamW(parameters, lr, a.Beta1, a.Beta2, a.Epsilon, a.WeightDecay),
        AdamOptimizer a => torch.optim.Adam(parameters, lr, a.Beta1, a.Beta2, a.Epsilon, a.WeightDecay),
        SgdOptimizer s => torch.optim.SGD(parameters, lr, s.Momentum, weight_decay: s.WeightDecay, nesterov: s.Nesterov),
        _ => throw new ArgumentException(optimizer.ToString()),
    };

    [TestMethod]
    public void NoLibraryCode_HandsLibtorchAScalarNothingKeepsAlive()
    {
        var findings = new List<string>();
        var memo = new Dictionary<MethodBase, string>();
        foreach (var type in typeof(ConvNetTransformer).Assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(IlReader.Declared).Cast<MethodBase>().Concat(type.GetConstructors(IlReader.Declared)))
            {
                foreach (var called in IlReader.ReferencedMembers(method).OfType<MethodBase>().Where(m => m.DeclaringType?.Assembly == TorchSharpAssembly))
                {
                    if (IsImplicitScalar(called))
                        findings.Add($"{type.FullName}.{method.Name} converts a number to a Scalar implicitly; use `using var s = value.ToScalar();`.");
                    else if (MakesScalar(called, 0, memo) is { } path)
                        findings.Add($"{type.FullName}.{method.Name} calls {called.DeclaringType!.Name}.{called.Name}, which makes a Scalar nothing keeps alive ({path}).");
                    if (called is MethodInfo { ReturnType: var module } && module.Assembly == TorchSharpAssembly
                        && module.GetMethod("forward", [typeof(Tensor)]) is { } forward && MakesScalar(forward, 0, memo) is { } inForward)
                        findings.Add($"{type.FullName}.{method.Name} builds {module.Name}, whose forward makes a Scalar nothing keeps alive ({inForward}).");
                }
            }
        }
        Assert.AreEqual(0, findings.Count, string.Join("\n", findings.Distinct()));
    }

    [TestMethod]
    public void TheScan_SeesTheScalarsTorchSharpsOwnStepsMake()
    {
        // Guards the scan against passing vacuously: TorchSharp's RMSprop step and add_(Scalar) do make them.
        var memo = new Dictionary<MethodBase, string>();
        var rmsprop = typeof(TorchSharp.Modules.RMSProp);
        var step = rmsprop.GetMethods(IlReader.Declared).Concat(rmsprop.GetNestedTypes(BindingFlags.NonPublic).SelectMany(t => t.GetMethods(IlReader.Declared)))
            .First(m => m.Name.StartsWith("<step>", StringComparison.Ordinal));
        Assert.IsNotNull(MakesScalar(step, 0, memo));
        Assert.IsNotNull(MakesScalar(typeof(Tensor).GetMethod("add_", [typeof(Scalar)])!, 0, memo));
        Assert.IsNotNull(MakesScalar(typeof(TorchSharp.Modules.BatchNorm2d).GetMethod("forward", [typeof(Tensor)])!, 0, memo));
        Assert.IsNull(MakesScalar(typeof(Tensor).GetMethod("add_", [typeof(Scalar), typeof(Scalar)])!, 0, memo));
    }

    [TestMethod]
    public void BatchNormalization_ComputesWhatTorchSharpsBatchNormComputes_TrainingAndScoring()
    {
        _ = ArchitectureRegistry.Get("LeNot");
        new ImageAugmentation().Apply([0f], new ImageShape(1, 1, 1), 0);
        using var ours = new BatchNormalization(momentum: 0.9, epsilon: 1e-3).Build([4, 5, 5]);
        using var theirs = nn.BatchNorm2d(4, eps: 1e-3, momentum: 0.1);
        using (torch.no_grad())
        {
            var weight = torch.linspace(0.5, 1.5, 4);
            var bias = torch.linspace(-0.2, 0.2, 4);
            foreach (var module in new nn.Module[] { ours, theirs })
            {
                module.named_parameters().Single(p => p.name == "weight").parameter.copy_(weight);
                module.named_parameters().Single(p => p.name == "bias").parameter.copy_(bias);
            }
        }
        ours.train();
        theirs.train();
        for (int i = 0; i < 5; i++)
        {
            torch.manual_seed(i);
            var x = torch.randn(8, 4, 5, 5);
            CollectionAssert.AreEqual(theirs.forward(x).data<float>().ToArray(), ours.forward(x).data<float>().ToArray(), $"training step {i}");
        }
        ours.eval();
        theirs.eval();
        var test = torch.randn(3, 4, 5, 5);
        CollectionAssert.AreEqual(theirs.forward(test).data<float>().ToArray(), ours.forward(test).data<float>().ToArray(), "scoring with the running statistics");
        CollectionAssert.AreEqual(new[] { "weight", "bias" }, ours.named_parameters().Select(p => p.name).ToArray());
        CollectionAssert.AreEqual(new[] { "running_mean", "running_var" }, ours.named_buffers().Select(b => b.name).ToArray());
    }

    private static bool IsImplicitScalar(MethodBase method) => method.DeclaringType == typeof(Scalar) && method.Name == "op_Implicit";

    /// <summary>How <paramref name="method"/> (or a TorchSharp method it calls, four levels down) makes an implicit Scalar; null when it does not.</summary>
    private static string MakesScalar(MethodBase method, int depth, Dictionary<MethodBase, string> memo)
    {
        if (memo.TryGetValue(method, out var known))
            return known;
        memo[method] = null;
        string found = null;
        foreach (var called in IlReader.ReferencedMembers(method).OfType<MethodBase>())
        {
            if (IsImplicitScalar(called))
                found = $"{method.DeclaringType!.Name}.{method.Name}";
            else if (depth < 4 && called.DeclaringType?.Assembly == TorchSharpAssembly && MakesScalar(called, depth + 1, memo) is { } inner)
                found = $"{method.DeclaringType!.Name}.{method.Name} > {inner}";
            if (found is not null)
                break;
        }
        memo[method] = found;
        return found;
    }
}
