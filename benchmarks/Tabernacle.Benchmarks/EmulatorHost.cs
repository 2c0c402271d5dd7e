using System.Diagnostics;

namespace Tabernacle.Benchmarks;

/// <summary>
/// The emulator host (<c>src/Tabernacle.MongoEmulator.Host</c>) as a child process, so the benchmark process measures
/// the client alone: its first stdout line is the connection string. Disposing kills the process.
/// </summary>
internal sealed class EmulatorHost : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _stderr = new();

    private EmulatorHost(Process process)
    {
        _process = process;
    }

    public string ConnectionString { get; private set; } = "";

    /// <summary>The host's process id (for a heap snapshot of it).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The host process's resident memory (working set) now, in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>Starts <c>--members 3 --port 0 --replSet rs0</c> plus <paramref name="extraArguments"/> and waits for the connection
    /// string.</summary>
    public static EmulatorHost Start(params string[] extraArguments)
    {
        var dll = FindHostAssembly();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        // When the benchmark runs under dotnet-trace, the host must not inherit the tracer's diagnostic port (it would
        // pause at startup waiting for a tracer that only follows the benchmark process).
        start.Environment.Remove("DOTNET_DiagnosticPorts");
        foreach (var argument in (string[])["exec", dll, "--members", "3", "--port", "0", "--replSet", "rs0", "--delay-ms", "0",
            .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the emulator host");
        var host = new EmulatorHost(process);
        // The host logs on stderr: drain it (a full pipe would block the host), keeping the tail for errors.
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (host._stderr)
            {
                host._stderr.Enqueue(e.Data);
                if (host._stderr.Count > 20)
                {
                    host._stderr.Dequeue();
                }
            }
        };
        process.BeginErrorReadLine();
        var read = process.StandardOutput.ReadLineAsync();
        if (!read.Wait(TimeSpan.FromSeconds(60)) || string.IsNullOrEmpty(read.Result))
        {
            string tail;
            lock (host._stderr)
            {
                tail = string.Join(Environment.NewLine, host._stderr);
            }

            host.Dispose();
            throw new InvalidOperationException($"the emulator host printed no connection string:{Environment.NewLine}{tail}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => host.Dispose();
        host.ConnectionString = read.Result!;
        return host;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The host's built assembly: Release first (what <c>-c Release</c> builds), else Debug.</summary>
    private static string FindHostAssembly()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Tabernacle.EfCore.sln")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            throw new InvalidOperationException($"cannot find the repository (Tabernacle.EfCore.sln) above {AppContext.BaseDirectory}");
        }

        var candidates = new[] { "Release", "Debug" }
            .Select(c =>
                Path.Combine(directory.FullName, "src", "Tabernacle.MongoEmulator.Host", "bin", c, "net10.0",
                    "Tabernacle.MongoEmulator.Host.dll"))
            .Where(File.Exists)
            .ToList();
        return candidates.Count > 0
            ? candidates[0]
            : throw new InvalidOperationException(
                "the emulator host is not built: run `dotnet build -c Release src/Tabernacle.MongoEmulator.Host`");
    }
}
