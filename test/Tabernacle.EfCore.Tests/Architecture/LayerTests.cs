using Tabernacle.Testing;
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

    private static readonly Lazy<LayerGraph> Graph = new(() =>
        LayerGraph.Read(typeof(TabernacleDbContextOptionsBuilder).Assembly.Location, "Tabernacle.EfCore", SurfaceLayers));

    [Fact]
    public void No_layer_of_the_provider_references_a_layer_above_it()
    {
        var violations = Graph.Value.UpwardReferences(Forbidden);

        Assert.True(violations.Count == 0, "Upward references:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_check_sees_the_layers_of_the_assembly()
    {
        // Guards the test above against passing vacuously (no PDB, a moved source tree): the known downward references
        // (Query and Update use Storage and Metadata) are seen.
        var edges = Graph.Value.References.Select(r => (r.FromLayer, r.ToLayer)).ToHashSet();

        Assert.Contains(("Query", "Storage"), edges);
        Assert.Contains(("Query", "Metadata"), edges);
        Assert.Contains(("Update", "Storage"), edges);
        Assert.Contains(("Storage", "Metadata"), edges);
        Assert.Contains(("Extensions", "Storage"), edges);
    }
}
