using System.Reflection;

namespace MLNet.ConvNet.Tests.Internals;

/// <summary>
/// The library compiles against publicized ML.NET references, so the compiler cannot tell when code outside an
/// Internals folder (any <c>*.Internals</c> namespace) starts using an ML.NET internal. This test reads the
/// library's IL and does.
/// </summary>
[TestClass]
public sealed class InternalsBoundaryTests
{
    private static readonly string[] Publicized = ["Microsoft.ML.Core", "Microsoft.ML.Data"];

    /// <summary>
    /// Internal ML.NET interfaces that a public type of ours must implement itself, so no adapter in an Internals
    /// folder can stand in for it. Each with the reason; InternalContractTests checks that they still exist.
    /// </summary>
    private static readonly Dictionary<string, string> ImplementedWhereNoAdapterCan = new()
    {
        ["Microsoft.ML.ISingleFeaturePredictionTransformer"] =
            "ConvNetTransformer: PermutationFeatureImportance(ITransformer model, ...) looks for this non-generic form on the transformer itself",
    };

    /// <summary>
    /// Members outside an Internals folder that may use ML.NET internals, each with the reason; the guard below checks
    /// that they still do, so the list cannot go stale.
    /// </summary>
    private static readonly Dictionary<string, string> PersistenceOnTheTransformer = new()
    {
        ["MLNet.ConvNet.ConvNetTransformer.GetVersionInfo"] = "ML.NET's pattern: a transformer's version info sits at the top of its own file",
        ["MLNet.ConvNet.ConvNetTransformer.Microsoft.ML.ICanSaveModel.Save"] = "ML.NET's pattern: a transformer's save sits at the top of its own file",
        ["MLNet.ConvNet.ConvNetTransformer.Create"] = "ML.NET's pattern: a transformer's loader sits at the top of its own file",
    };

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [TestMethod]
    public void OnlyTheInternalsFolder_UsesNonPublicMLNetMembers()
    {
        var violations = new List<string>();
        int checkedReferences = 0;
        foreach (var type in typeof(ConvNetTransformer).Assembly.GetTypes())
        {
            if (type.Namespace is { } ns && (ns.EndsWith(".Internals", StringComparison.Ordinal) || ns == "System.Runtime.CompilerServices"))
                continue;
            foreach (var inherited in new[] { type.BaseType }.Concat(type.GetInterfaces()).Where(t => t is not null))
            {
                if (!IsReachable(inherited) && !ImplementedWhereNoAdapterCan.ContainsKey(inherited.FullName))
                    violations.Add($"{type.FullName} derives from {inherited.FullName}");
            }
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                if (PersistenceOnTheTransformer.ContainsKey($"{type.FullName}.{method.Name}"))
                    continue;
                foreach (var member in IlReader.ReferencedMembers(method))
                {
                    checkedReferences++;
                    if (!IsReachable(member))
                        violations.Add($"{type.FullName}.{method.Name} uses {member.DeclaringType?.FullName}.{member.Name}");
                }
            }
        }
        Assert.IsTrue(checkedReferences > 500, $"Only {checkedReferences} member references were read; the IL reader is broken.");
        Assert.AreEqual(0, violations.Count, "Move these into an Internals folder beside what they adapt, or use ML.NET's public API:\n" + string.Join("\n", violations.Distinct()));
    }

    [TestMethod]
    public void TheCheck_SeesTheInternalsThatInternalsUses()
    {
        // Guards the test above against passing vacuously: Internals/ does use ML.NET internals.
        var keyValues = typeof(ConvNetTransformer).Assembly.GetType("MLNet.ConvNet.ModelFile.Internals.KeyValuesFormat");
        var used = keyValues.GetMethods(Declared).SelectMany(IlReader.ReferencedMembers).ToList();
        Assert.IsTrue(used.Any(m => !IsReachable(m)), "KeyValuesFormat should be seen calling ML.NET internals (BinarySaver).");
    }

    [TestMethod]
    public void EveryAllowedPersistenceMember_StillExists_AndStillUsesInternals()
    {
        foreach (var name in PersistenceOnTheTransformer.Keys)
        {
            var method = typeof(ConvNetTransformer).GetMethods(Declared).SingleOrDefault(m => $"{typeof(ConvNetTransformer).FullName}.{m.Name}" == name);
            Assert.IsNotNull(method, $"{name} is allowed to use ML.NET internals but no longer exists; remove it from the list.");
            Assert.IsTrue(IlReader.ReferencedMembers(method).Any(m => !IsReachable(m)), $"{name} no longer uses ML.NET internals; remove it from the list.");
        }
    }

    private static bool IsReachable(MemberInfo member)
    {
        var assembly = (member as Type ?? member.DeclaringType)?.Assembly.GetName().Name;
        if (assembly is null || !Publicized.Contains(assembly))
            return true;
        return member switch
        {
            Type t => t.IsGenericParameter || (t.IsVisible || t.IsNestedFamily || t.IsNestedFamORAssem) && t.GetGenericArguments().All(IsReachable),
            MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && IsReachable(m.DeclaringType),
            FieldInfo f => (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && IsReachable(f.DeclaringType),
            _ => true,
        };
    }
}
