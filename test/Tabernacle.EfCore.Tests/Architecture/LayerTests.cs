using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace Tabernacle.EfCore.Tests.Architecture;

/// <summary>
/// The provider's layers call only downward, as in EF Core's providers: Metadata at the bottom, then Storage (the client
/// seam), then Query, Update and ValueGeneration side by side, with Extensions (the public entry points) on top.
/// Diagnostics and Attributes depend on no other layer. Infrastructure (options and the service wiring) is read by every
/// layer and may wire any of them, as EF's options extensions do. Each type's layer is the folder of its source file,
/// read from the portable PDB, so public types in the root namespace are placed where they live.
/// </summary>
public sealed class LayerTests
{
    private static readonly Dictionary<string, string[]> Forbidden = new()
    {
        ["Attributes"] = ["Metadata", "Storage", "Query", "Update", "ValueGeneration", "Extensions"],
        ["Diagnostics"] = ["Metadata", "Storage", "Query", "Update", "ValueGeneration", "Extensions"],
        ["Metadata"] = ["Storage", "Query", "Update", "ValueGeneration", "Extensions"],
        ["Storage"] = ["Query", "Update", "ValueGeneration", "Extensions"],
        ["Query"] = ["Update", "ValueGeneration", "Extensions"],
        ["Update"] = ["Query", "Extensions"],
        ["ValueGeneration"] = ["Query", "Update", "Extensions"],
    };

    // Public extension classes live in Extensions/ (EF's layout) but belong to the layer they give access to: the model
    // accessors and fluent API to Metadata, the LINQ operators to Query (whose translator recognises their methods).
    private static readonly Dictionary<string, string> SurfaceLayers = new()
    {
        ["Tabernacle.EfCore.TabernacleModelExtensions"] = "Metadata",
        ["Tabernacle.EfCore.TabernaclePropertyExtensions"] = "Metadata",
        ["Tabernacle.EfCore.TabernacleViewExtensions"] = "Metadata",
        ["Tabernacle.EfCore.TabernaclePropertyBuilderExtensions"] = "Metadata",
        ["Tabernacle.EfCore.TabernacleQueryableExtensions"] = "Query",
        ["Tabernacle.EfCore.TabernacleRawQueryExtensions"] = "Query",
    };

    [Fact]
    public void No_layer_of_the_provider_references_a_layer_above_it()
    {
        var violations = ReferencesAcrossLayers(typeof(TabernacleDbContextOptionsBuilder).Assembly.Location)
            .Where(r => Forbidden.TryGetValue(r.FromLayer, out var above) && above.Contains(r.ToLayer))
            .Select(r => $"{r.FromLayer} -> {r.ToLayer}: {r.From} uses {r.To}")
            .Distinct()
            .Order()
            .ToList();

        Assert.True(violations.Count == 0, "Upward references:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_check_sees_the_layers_of_the_assembly()
    {
        // Guards the test above against passing vacuously (no PDB, a moved source tree): every layer is found, and
        // the known downward references (Query and Update use Storage and Metadata) are seen.
        var references = ReferencesAcrossLayers(typeof(TabernacleDbContextOptionsBuilder).Assembly.Location).ToList();
        var edges = references.Select(r => (r.FromLayer, r.ToLayer)).ToHashSet();

        Assert.Contains(("Query", "Storage"), edges);
        Assert.Contains(("Query", "Metadata"), edges);
        Assert.Contains(("Update", "Storage"), edges);
        Assert.Contains(("Storage", "Metadata"), edges);
        Assert.Contains(("Extensions", "Storage"), edges);
    }

    private sealed record Reference(string From, string FromLayer, string To, string ToLayer);

    private static IEnumerable<Reference> ReferencesAcrossLayers(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters { ReadSymbols = true });
        var types = module.GetTypes().ToList();
        var layers = types.ToDictionary(t => t.FullName, LayerOf);
        foreach (var type in types)
        {
            var fromLayer = layers[type.FullName];
            if (fromLayer is null)
            {
                continue;
            }

            foreach (var target in ReferencedTypes(type).Where(t => t.Scope == module || t.Module == module))
            {
                if (layers.TryGetValue(Outermost(target).FullName, out var toLayer) && toLayer is not null && toLayer != fromLayer)
                {
                    yield return new Reference(Outermost(type).FullName, fromLayer, Outermost(target).FullName, toLayer);
                }
            }
        }
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    // The folder under src/Tabernacle.EfCore/ of the type's source file (a nested type, a lambda's closure: its
    // outermost type's); for a type without code (an interface, an enum) the namespace segment after the root.
    private static string? LayerOf(TypeDefinition type)
    {
        var outermost = (TypeDefinition)Outermost(type);
        if (SurfaceLayers.TryGetValue(outermost.FullName, out var surface))
        {
            return surface;
        }

        var file = AllTypes(outermost)
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody && m.DebugInformation.HasSequencePoints)
            .Select(m => m.DebugInformation.SequencePoints[0].Document.Url.Replace('\\', '/'))
            .FirstOrDefault();
        const string Root = "/Tabernacle.EfCore/";
        if (file is not null && file.LastIndexOf(Root, StringComparison.Ordinal) is var at and >= 0)
        {
            var relative = file[(at + Root.Length)..];
            var slash = relative.IndexOf('/');
            return slash < 0 ? null : relative[..slash];
        }

        var ns = outermost.Namespace;
        return ns.StartsWith("Tabernacle.EfCore.", StringComparison.Ordinal) ? ns["Tabernacle.EfCore.".Length..].Split('.')[0] : null;
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
}
