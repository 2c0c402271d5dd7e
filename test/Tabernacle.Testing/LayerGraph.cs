using Mono.Cecil;

namespace Tabernacle.Testing;

/// <summary>
/// The references between the layers of one of our assemblies, read from its compiled code: which types each type uses
/// (in its signatures and method bodies) and which members its method bodies call. A type's layer is the folder under
/// src/&lt;assembly&gt;/ of its source file, read from the portable PDB (a nested type or a lambda's closure: its outermost
/// type's), unless the caller places it explicitly; a type without code (an interface, an enum) falls back to the
/// namespace segment after the root. The provider's and the emulator's layer tests both read it.
/// </summary>
public sealed class LayerGraph
{
    private LayerGraph(List<TypeUse> references, List<MemberUse> memberUses)
    {
        References = references;
        MemberUses = memberUses;
    }

    /// <summary>Uses of a type of another layer.</summary>
    public IReadOnlyList<TypeUse> References { get; }

    /// <summary>Members (methods, property accessors, fields) of the assembly's types called from method bodies.</summary>
    public IReadOnlyList<MemberUse> MemberUses { get; }

    /// <summary>
    /// The references a layer makes to a layer <paramref name="forbidden"/> lists above it, one line each
    /// ("Query -> Update: A uses B"), distinct and sorted; empty when the layers call only downward.
    /// </summary>
    public IReadOnlyList<string> UpwardReferences(IReadOnlyDictionary<string, string[]> forbidden) =>
        References
            .Where(r => forbidden.TryGetValue(r.FromLayer, out var above) && above.Contains(r.ToLayer))
            .Select(r => $"{r.FromLayer} -> {r.ToLayer}: {r.From} uses {r.To}")
            .Distinct()
            .Order()
            .ToList();

    /// <summary>
    /// Reads the assembly at <paramref name="assemblyPath"/>, whose source lives in src/<paramref name="rootNamespace"/>/.
    /// <paramref name="placed"/> puts named types in a layer other than their folder's (public extension classes that
    /// belong to the layer they give access to).
    /// </summary>
    public static LayerGraph Read(string assemblyPath, string rootNamespace, IReadOnlyDictionary<string, string>? placed = null)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters { ReadSymbols = true });
        var types = module.GetTypes().ToList();
        var layers = types.ToDictionary(
            t => t.FullName,
            t => placed is not null && placed.TryGetValue(Outermost(t).FullName, out var layer) ? layer : LayerOf(t, rootNamespace));
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

    private static string? LayerOf(TypeDefinition type, string rootNamespace)
    {
        var outermost = (TypeDefinition)Outermost(type);
        var file = AllTypes(outermost)
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody && m.DebugInformation.HasSequencePoints)
            .Select(m => m.DebugInformation.SequencePoints[0].Document.Url.Replace('\\', '/'))
            .FirstOrDefault();
        var root = "/" + rootNamespace + "/";
        if (file is not null && file.LastIndexOf(root, StringComparison.Ordinal) is var at and >= 0)
        {
            var relative = file[(at + root.Length)..];
            var slash = relative.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? null : relative[..slash];
        }

        var ns = outermost.Namespace;
        return ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal) ? ns[(rootNamespace.Length + 1)..].Split('.')[0] : null;
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
public sealed record TypeUse(string From, string FromLayer, string To, string ToLayer);

/// <summary><paramref name="From"/> (of <paramref name="FromLayer"/>) calls or reads <paramref name="Member"/> (Type::name).</summary>
public sealed record MemberUse(string From, string FromLayer, string Member);
