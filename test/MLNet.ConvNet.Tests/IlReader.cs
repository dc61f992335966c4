using System.Reflection;
using System.Reflection.Emit;

namespace MLNet.ConvNet.Tests;

/// <summary>Reads what compiled code refers to, for the tests that check the library's structure.</summary>
internal static class IlReader
{
    public const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null))
        .ToDictionary(o => o.Value);

    /// <summary>Every type, method and field token in a method body (ECMA-335 III: one- and two-byte opcodes).</summary>
    public static IEnumerable<MemberInfo> ReferencedMembers(MethodBase method)
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

    /// <summary>
    /// Every type <paramref name="type"/> names: its base type and interfaces, the types of its fields, properties,
    /// method parameters and return values, and every type, method and field its method bodies refer to (by declaring
    /// type). Generic arguments, element types and the types that nest a type are included.
    /// </summary>
    public static IEnumerable<Type> ReferencedTypes(Type type)
    {
        var named = new List<Type> { type.BaseType };
        named.AddRange(type.GetInterfaces());
        named.AddRange(type.GetFields(Declared).Select(f => f.FieldType));
        named.AddRange(type.GetProperties(Declared).Select(p => p.PropertyType));
        var methods = type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)).ToList();
        foreach (var method in methods)
        {
            named.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
                named.Add(info.ReturnType);
            foreach (var member in ReferencedMembers(method))
                named.Add(member as Type ?? member.DeclaringType);
        }
        return named.Where(t => t is not null).SelectMany(Expand).Distinct();
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()))
                yield return t;
            yield break;
        }
        if (type.IsGenericParameter)
            yield break;
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
        {
            foreach (var t in Expand(argument))
                yield return t;
        }
        if (type.DeclaringType is { } outer)
        {
            foreach (var t in Expand(outer))
                yield return t;
        }
    }
}
