using System.Reflection;
using System.Reflection.Emit;

namespace MLNet.ConvNet.Tests.Internals;

/// <summary>
/// The library compiles against publicized ML.NET references, so the compiler cannot tell when code outside
/// Internals/ starts using an ML.NET internal. This test reads the library's IL and does.
/// </summary>
[TestClass]
public sealed class InternalsBoundaryTests
{
    private static readonly string[] Publicized = ["Microsoft.ML.Core", "Microsoft.ML.Data"];
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [TestMethod]
    public void OnlyTheInternalsFolder_UsesNonPublicMLNetMembers()
    {
        var violations = new List<string>();
        int checkedReferences = 0;
        foreach (var type in typeof(ConvNetTransformer).Assembly.GetTypes())
        {
            if (type.Namespace is { } ns && (ns.StartsWith("MLNet.ConvNet.Internals", StringComparison.Ordinal) || ns == "System.Runtime.CompilerServices"))
                continue;
            foreach (var inherited in new[] { type.BaseType }.Concat(type.GetInterfaces()).Where(t => t is not null))
            {
                if (!IsReachable(inherited))
                    violations.Add($"{type.FullName} derives from {inherited.FullName}");
            }
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                foreach (var member in ReferencedMembers(method))
                {
                    checkedReferences++;
                    if (!IsReachable(member))
                        violations.Add($"{type.FullName}.{method.Name} uses {member.DeclaringType?.FullName}.{member.Name}");
                }
            }
        }
        Assert.IsTrue(checkedReferences > 500, $"Only {checkedReferences} member references were read; the IL reader is broken.");
        Assert.AreEqual(0, violations.Count, "Move these into Internals/ or use ML.NET's public API:\n" + string.Join("\n", violations.Distinct()));
    }

    [TestMethod]
    public void TheCheck_SeesTheInternalsThatInternalsUses()
    {
        // Guards the test above against passing vacuously: Internals/ does use ML.NET internals.
        var bridge = typeof(ConvNetTransformer).Assembly.GetType("MLNet.ConvNet.Internals.ModelContextBridge");
        var used = bridge.GetMethods(Declared).SelectMany(ReferencedMembers).ToList();
        Assert.IsTrue(used.Any(m => !IsReachable(m)), "ModelContextBridge should be seen calling ML.NET internals.");
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

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null))
        .ToDictionary(o => o.Value);

    /// <summary>Every type, method and field token in a method body (ECMA-335 III: one- and two-byte opcodes).</summary>
    private static IEnumerable<MemberInfo> ReferencedMembers(MethodBase method)
    {
        byte[] il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (InvalidOperationException) { yield break; }
        if (il is null)
            yield break;
        var typeArguments = method.DeclaringType.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int position = 0;
        while (position < il.Length)
        {
            short value = il[position] == 0xFE ? (short)(0xFE00 | il[position + 1]) : il[position];
            position += il[position] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            int operand = opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
                _ => 4,
            };
            if (opCode.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType)
            {
                MemberInfo member = null;
                try { member = method.Module.ResolveMember(BitConverter.ToInt32(il, position), typeArguments, methodArguments); }
                catch (ArgumentException) { }
                if (member is not null)
                    yield return member;
            }
            position += operand;
        }
    }
}
