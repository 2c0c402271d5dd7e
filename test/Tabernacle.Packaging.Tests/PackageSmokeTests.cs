using System.Xml.Linq;
using Tabernacle.Testing;
using Xunit.Abstractions;

namespace Tabernacle.Packaging.Tests;

/// <summary>
/// The packages work without the repository: the four projects are packed into a local folder, then a console app and a
/// web app that reference only those packages (through a NuGet.config that adds the folder beside the machine's
/// configured source) are built and run, and the tool is installed from the folder and asked for its help.
/// </summary>
public sealed class PackageSmokeTests(PackageFeed feed, ITestOutputHelper output) : IClassFixture<PackageFeed>
{
    [Fact]
    public void Every_package_has_its_metadata_readme_and_symbols()
    {
        foreach (var id in PackageFeed.LibraryIds.Append(PackageFeed.ToolId))
        {
            var package = Path.Combine(feed.Folder, $"{id}.{feed.Version}.nupkg");
            Assert.True(File.Exists(package), $"{package} was not packed");
            Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), $"{id} has no symbols package");

            using var archive = System.IO.Compression.ZipFile.OpenRead(package);
            Assert.Contains(archive.Entries, e => e.FullName == "README.md");
            var nuspecEntry = Assert.Single(archive.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using var nuspecStream = nuspecEntry.Open();
            var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            Assert.Equal(id, Field("id"));
            Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{id} has no description");
            Assert.Contains("mongodb", Field("tags"), StringComparison.Ordinal);
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("README.md", Field("readme"));
            if (id != PackageFeed.ToolId)
            {
                Assert.Contains(archive.Entries, e => e.FullName == $"lib/net10.0/{id}.xml");
            }
        }
    }

    [Fact]
    public Task A_console_app_on_the_packages_saves_and_reads_with_a_read_preference() =>
        RunAppAsync("Console", "Microsoft.NET.Sdk", ["Tabernacle.EfCore", "Tabernacle.MongoEmulator"],
            "saved and read back through the packages");

    [Fact]
    public Task A_web_app_on_the_packages_uses_AddTabernacle_the_health_check_and_a_read_policy() =>
        RunAppAsync("Web", "Microsoft.NET.Sdk.Web", ["Tabernacle.EfCore.Extensions", "Tabernacle.MongoEmulator"],
            "worked through the packages");

    // Builds and runs one of the apps in Apps/ against the packages only; it must exit 0 and say it did its work.
    private async Task RunAppAsync(string name, string sdk, string[] packages, string expected)
    {
        var app = feed.CreateApp(name, sdk, packages);

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync("dotnet", ["run", "--project", app], app, TimeSpan.FromMinutes(6));

        output.WriteLine(stdout);
        Assert.True(exitCode == 0, $"the {name} app exited {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Contains(expected, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_csharp_block_of_the_README_compiles_against_the_packages()
    {
        var blocks = ReadmeBlocks.Extract(File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot(), "README.md")));
        var root = Path.Combine(feed.Root, "readme");
        var projects = new List<string>();
        foreach (var block in blocks)
        {
            // One project per block: a README block is a Program.cs of its own (top-level statements, then types).
            var web = block.Context == "web";
            var name = $"Line{block.Line}";
            var folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            string[] packages = [web ? "Tabernacle.EfCore.Extensions" : "Tabernacle.EfCore", "Tabernacle.MongoEmulator"];
            var sdk = web ? "Microsoft.NET.Sdk.Web" : "Microsoft.NET.Sdk";
            File.WriteAllText(Path.Combine(folder, name + ".csproj"), feed.ProjectText(sdk, packages));
            File.WriteAllText(Path.Combine(folder, "Program.cs"), block.Code);
            if (block.Context != "program")
            {
                File.Copy(Path.Combine(AppContext.BaseDirectory, "Readme", block.Context + ".cs"), Path.Combine(folder, "Context.cs"));
            }

            projects.Add($"{name}/{name}.csproj");
        }

        var solution = Path.Combine(root, "readme.slnx");
        File.WriteAllText(solution, $"<Solution>\n{string.Concat(projects.Select(p => $"  <Project Path=\"{p}\" />\n"))}</Solution>\n");

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            "dotnet", ["build", solution, "-nologo", "-v", "q"], root, TimeSpan.FromMinutes(8));

        // Errors name the project LineN: the README line the block starts on.
        var errors = (stdout + stderr).Split('\n').Where(l => l.Contains(" error ", StringComparison.Ordinal)).Distinct().ToList();
        var shown = errors.Count > 0 ? string.Join('\n', errors) : stdout + stderr;
        Assert.True(exitCode == 0, $"README blocks do not compile (project LineN = the block at README.md line N):\n{shown}");
    }

    [Fact]
    public async Task The_tool_installs_from_the_feed_and_prints_its_help()
    {
        var tools = Path.Combine(feed.Root, "tools");
        var (installCode, installOut, installErr) = await ChildProcess.RunAsync(
            "dotnet",
            ["tool", "install", "--tool-path", tools, "--add-source", feed.Folder, PackageFeed.ToolId, "--version", feed.Version],
            feed.Root,
            TimeSpan.FromMinutes(3));
        Assert.True(installCode == 0, $"tool install exited {installCode}\n{installOut}\n{installErr}");

        var (exitCode, stdout, stderr) =
            await ChildProcess.RunAsync(Path.Combine(tools, "tabernacle-mongo"), ["--help"], feed.Root, TimeSpan.FromMinutes(1));

        Assert.True(exitCode == 0, $"tabernacle-mongo --help exited {exitCode}\n{stderr}");
        Assert.Contains("Usage: tabernacle-mongo", stdout, StringComparison.Ordinal);
        foreach (var option in new[] { "--members", "--port", "--replSet", "--setParameter" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }
    [Fact]
    public async Task The_template_makes_an_api_whose_own_tests_pass_on_the_emulator()
    {
        // A hive of its own, so the machine's installed templates are neither used nor changed.
        var hive = Path.Combine(feed.Root, "template-hive");
        var package = Path.Combine(feed.Folder, $"{PackageFeed.TemplatesId}.{feed.Version}.nupkg");
        var (installCode, installOut, installErr) = await ChildProcess.RunAsync(
            "dotnet", ["new", "install", package, "--debug:custom-hive", hive], feed.Root, TimeSpan.FromMinutes(2));
        Assert.True(installCode == 0, $"dotnet new install exited {installCode}\n{installOut}\n{installErr}");

        var project = Path.Combine(feed.Root, "MyTasks");
        var (newCode, newOut, newErr) = await ChildProcess.RunAsync(
            "dotnet",
            ["new", "tabernacle-webapi", "-n", "MyTasks", "-o", project, "--tabernacleVersion", feed.Version, "--debug:custom-hive", hive],
            feed.Root,
            TimeSpan.FromMinutes(2));
        Assert.True(newCode == 0, $"dotnet new tabernacle-webapi exited {newCode}\n{newOut}\n{newErr}");
        Assert.True(File.Exists(Path.Combine(project, "src", "MyTasks", "MyTasks.csproj")),
            "the template did not name the project after -n");

        var (testCode, testOut, testErr) = await ChildProcess.RunAsync(
            "dotnet", ["test", Path.Combine(project, "test", "MyTasks.Tests", "MyTasks.Tests.csproj")], project, TimeSpan.FromMinutes(8));

        output.WriteLine(testOut);
        Assert.True(testCode == 0, $"the generated project's tests exited {testCode}\nstdout: {testOut}\nstderr: {testErr}");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+3", testOut);
    }
}

/// <summary>
/// Packs the libraries and the tool once for the class, with a version of its own (so the machine's package cache never
/// serves an older build under the same number), into a temporary folder that is deleted afterwards.
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    public static readonly string[] LibraryIds = ["Tabernacle.EfCore", "Tabernacle.EfCore.Extensions", "Tabernacle.MongoEmulator"];

    public const string ToolId = "Tabernacle.MongoEmulator.Tool";

    public const string TemplatesId = "Tabernacle.Templates";

    private static readonly string[] Projects =
    [
        "src/Tabernacle.EfCore/Tabernacle.EfCore.csproj",
        "src/Tabernacle.EfCore.Extensions/Tabernacle.EfCore.Extensions.csproj",
        "src/Tabernacle.MongoEmulator/Tabernacle.MongoEmulator.csproj",
        "src/Tabernacle.MongoEmulator.Host/Tabernacle.MongoEmulator.Host.csproj",
        "templates/Tabernacle.Templates/Tabernacle.Templates.csproj",
    ];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "tabernacle-packages-" + Guid.NewGuid().ToString("N")[..12]);

    public string Folder => Path.Combine(Root, "feed");

    public string Version { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        var repository = RepositoryRoot();
        var suffix = "smoke." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Version = VersionPrefix(repository) + "-" + suffix;
        foreach (var project in Projects)
        {
            // Release and --no-restore: the solution's restore already wrote the assets file, and the Debug outputs the
            // other test projects run from stay untouched.
            var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
                "dotnet",
                ["pack", Path.Combine(repository, project), "-c", "Release", "--no-restore", "-o", Folder, $"-p:VersionSuffix={suffix}",
                    "-nologo"],
                repository,
                TimeSpan.FromMinutes(6));
            Assert.True(exitCode == 0, $"dotnet pack {project} exited {exitCode}\n{stdout}\n{stderr}");
        }

        // The apps find the packages in the folder and everything else where the machine's NuGet settings say.
        File.WriteAllText(Path.Combine(Root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="tabernacle-local" value="{Folder}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>A project in the feed's folder that references <paramref name="packages"/> at the packed version, with the app's
    /// source.</summary>
    public string CreateApp(string name, string sdk, IEnumerable<string> packages)
    {
        var folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".csproj"), ProjectText(sdk, packages));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Apps", name, "Program.cs"), Path.Combine(folder, "Program.cs"), overwrite: true);
        return folder;
    }

    /// <summary>
    /// An executable project's text on <paramref name="sdk"/> that references <paramref name="packages"/> at the packed version.
    /// </summary>
    public string ProjectText(string sdk, IEnumerable<string> packages)
    {
        var references = string.Join("\n", packages.Select(p => $"""    <PackageReference Include="{p}" Version="{Version}" />"""));
        return $"""
            <Project Sdk="{sdk}">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process may still hold a file for a moment; the temporary folder is the system's to clean then.
        }

        return Task.CompletedTask;
    }

    internal static string RepositoryRoot() => Repository.Root();

    private static string VersionPrefix(string repository) =>
        XDocument.Load(Path.Combine(repository, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;
}
