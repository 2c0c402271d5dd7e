using Mono.Cecil;

namespace Tabernacle.MongoEmulator.Tests.Architecture;

/// <summary>
/// The references between the emulator's layers, read from its compiled assembly: which types each type uses (in its
/// signatures and method bodies) and which members its method bodies call. A type's layer is the folder under
/// src/Tabernacle.MongoEmulator/ of its source file (a nested type or a lambda's closure: its outermost type's); a type
/// without code (an interface, an enum) falls back to the namespace segment after the root.
/// </summary>
internal sealed class LayerGraph
{
    private const string RootNamespace = "Tabernacle.MongoEmulator";

    private LayerGraph(List<TypeUse> references, List<MemberUse> memberUses)
    {
        References = references;
        MemberUses = memberUses;
    }

    /// <summary>Uses of a type of another layer.</summary>
    public IReadOnlyList<TypeUse> References { get; }

    /// <summary>Members (methods, property accessors, fields) of the assembly's types called from method bodies.</summary>
    public IReadOnlyList<MemberUse> MemberUses { get; }

    public static LayerGraph Read(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters { ReadSymbols = true });
        var types = module.GetTypes().ToList();
        var layers = types.ToDictionary(t => t.FullName, LayerOf);
        var references = new List<TypeUse>();
        var memberUses = new List<MemberUse>();
        foreach (var type in types)
        {
            if (layers[type.FullName] is not { } fromLayer)
            {
                continue;
            }

            var from = Outermost(type).FullName;
            foreach (var target in ReferencedTypes(type).SelectMany(Flatten).Where(t => t.Scope == module || t.Module == module))
            {
                var to = Outermost(target.GetElementType()).FullName;
                if (layers.TryGetValue(to, out var toLayer) && toLayer is not null && toLayer != fromLayer)
                {
                    references.Add(new TypeUse(from, fromLayer, to, toLayer));
                }
            }

            foreach (var member in CalledMembers(type).Where(m => m.DeclaringType.Scope == module || m.DeclaringType.Module == module))
            {
                memberUses.Add(new MemberUse(from, fromLayer, $"{member.DeclaringType.GetElementType().FullName}::{member.Name}"));
            }
        }

        return new LayerGraph(references, memberUses);
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static string? LayerOf(TypeDefinition type)
    {
        var outermost = (TypeDefinition)Outermost(type);
        var file = AllTypes(outermost)
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody && m.DebugInformation.HasSequencePoints)
            .Select(m => m.DebugInformation.SequencePoints[0].Document.Url.Replace('\\', '/'))
            .FirstOrDefault();
        const string Root = "/" + RootNamespace + "/";
        if (file is not null && file.LastIndexOf(Root, StringComparison.Ordinal) is var at and >= 0)
        {
            var relative = file[(at + Root.Length)..];
            var slash = relative.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? null : relative[..slash];
        }

        var ns = outermost.Namespace;
        return ns.StartsWith(RootNamespace + ".", StringComparison.Ordinal) ? ns[(RootNamespace.Length + 1)..].Split('.')[0] : null;
    }

    // A constructed type stands for its definition and its type arguments (List<CollectionStore> uses CollectionStore).
    private static IEnumerable<TypeReference> Flatten(TypeReference type)
    {
        yield return type.GetElementType();
        if (type is TypeSpecification { ElementType: var element } && element != type)
        {
            foreach (var inner in Flatten(element))
            {
                yield return inner;
            }
        }

        if (type is GenericInstanceType generic)
        {
            foreach (var argument in generic.GenericArguments.SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<TypeDefinition> AllTypes(TypeDefinition type) =>
        new[] { type }.Concat(type.NestedTypes.SelectMany(AllTypes));

    private static IEnumerable<TypeReference> ReferencedTypes(TypeDefinition type)
    {
        if (type.BaseType is not null)
        {
            yield return type.BaseType;
        }

        foreach (var face in type.Interfaces)
        {
            yield return face.InterfaceType;
        }

        foreach (var field in type.Fields)
        {
            yield return field.FieldType;
        }

        foreach (var method in type.Methods)
        {
            yield return method.ReturnType;
            foreach (var parameter in method.Parameters)
            {
                yield return parameter.ParameterType;
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                yield return variable.VariableType;
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        yield return t;
                        break;
                    case MemberReference m when m.DeclaringType is not null:
                        yield return m.DeclaringType;
                        break;
                }
            }
        }
    }

    private static IEnumerable<MemberReference> CalledMembers(TypeDefinition type) =>
        type.Methods.Where(m => m.HasBody)
            .SelectMany(m => m.Body.Instructions)
            .Select(i => i.Operand)
            .OfType<MemberReference>()
            .Where(m => m is MethodReference or FieldReference && m.DeclaringType is not null);
}

/// <summary><paramref name="From"/> (of <paramref name="FromLayer"/>) uses <paramref name="To"/> of <paramref name="ToLayer"/>.</summary>
internal sealed record TypeUse(string From, string FromLayer, string To, string ToLayer);

/// <summary><paramref name="From"/> (of <paramref name="FromLayer"/>) calls or reads <paramref name="Member"/> (Type::name).</summary>
internal sealed record MemberUse(string From, string FromLayer, string Member);
