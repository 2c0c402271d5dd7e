using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LibraryManagement.Tests;

/// <summary>The OpenAPI document against the app's endpoints, and the README's endpoint table against the document.</summary>
public sealed partial class OpenApiTruthTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    private static readonly string[] Methods = ["get", "post", "put", "delete", "patch"];

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = factory.CreateClient();
        return await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
    }

    private static IEnumerable<(string Key, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from method in path.Value.EnumerateObject()
        where Methods.Contains(method.Name)
        select ($"{method.Name.ToUpperInvariant()} {path.Name}", method.Value);

    [Fact]
    public async Task The_document_has_a_bearer_scheme_and_every_protected_operation_requires_it()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty(OpenApiSetup.BearerScheme);
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var operations = Operations(document).ToDictionary(o => o.Key, o => o.Operation);
        foreach (var key in new[] { "POST /api/books", "POST /api/loans", "POST /api/cluster/step-down", "GET /api/loans/mine" })
        {
            Assert.True(operations[key].TryGetProperty("security", out var security), key);
            Assert.True(security[0].TryGetProperty(OpenApiSetup.BearerScheme, out _), key);
        }

        Assert.False(operations["GET /api/books"].TryGetProperty("security", out _));
    }

    [Fact]
    public async Task Every_operation_documents_its_real_answers()
    {
        var operations = Operations(await DocumentAsync()).ToDictionary(o => o.Key, o => o.Operation);
        Assert.Equal(OpenApiSetup.Responses.Keys.Order(), operations.Keys.Order());
        foreach (var (key, codes) in OpenApiSetup.Responses)
        {
            var documented = operations[key].GetProperty("responses").EnumerateObject()
                .Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture))
                .Order();
            Assert.True(codes.Order().SequenceEqual(documented), $"{key}: documented {string.Join(", ", documented)}");
        }

        Assert.True(operations["POST /api/books"].GetProperty("responses").TryGetProperty("201", out _));
        Assert.False(operations["POST /api/books"].GetProperty("responses").TryGetProperty("200", out _));
    }

    [Fact]
    public async Task The_readmes_endpoint_table_lists_exactly_the_documents_operations()
    {
        var readme = await File.ReadAllTextAsync(ReadmePath());
        var start = readme.IndexOf("## The LibraryManagement sample", StringComparison.Ordinal);
        var table = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        var listed = Endpoint().Matches(table).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToHashSet();
        var documented = Operations(await DocumentAsync()).Select(o => o.Key).ToHashSet();
        Assert.Empty(listed.Except(documented));   // the README promises nothing the app lacks (GET /api/reservations answered 405)
        Assert.Empty(documented.Except(listed));   // and leaves nothing out
    }

    private static string ReadmePath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "Tabernacle.EfCore.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md of the repository not found above the test's directory.");
    }

    [GeneratedRegex(@"`(GET|POST|PUT|DELETE|PATCH) (/api/[^`\s?]*)")]
    private static partial Regex Endpoint();
}
