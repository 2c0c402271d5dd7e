using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Tabernacle.MongoEmulator.Tests.Host;

/// <summary>
/// The emulator host run as a real child process (<c>dotnet Tabernacle.MongoEmulator.Host.dll ...</c>), with its stdout
/// read line by line and its stderr collected. Disposing kills it if it is still running.
/// </summary>
internal sealed class HostProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private HostProcess(Process process) => _process = process;

    /// <summary>The host assembly the test project's reference copies next to the test assembly.</summary>
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "Tabernacle.MongoEmulator.Host.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the host wrote to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static HostProcess Start(params string[] arguments)
    {
        Assert.True(File.Exists(HostDll),
            $"The host assembly was not found at {HostDll}; the test project references the host project so it should be copied there.");
        var startInfo = new ProcessStartInfo(DotNetExecutable())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(HostDll);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = startInfo };
        var host = new HostProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (host._stderr)
                {
                    host._stderr.AppendLine(e.Data);
                }
            }
        };
        Assert.True(process.Start(), "the host process did not start");
        process.StandardInput.Close(); // like CI: no stdin
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Reads the next stdout line; fails the test if the host writes none within <paramref name="timeout"/> or exits
    /// first.</summary>
    public async Task<string> ReadStdoutLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The host wrote no stdout line within {timeout}. stderr:\n{Stderr}");
            throw;
        }

        Assert.True(line is not null, $"The host closed stdout without writing a line. stderr:\n{Stderr}");
        return line;
    }

    /// <summary>Reads stdout to its end (the host has exited or is exiting).</summary>
    public async Task<string> ReadStdoutToEndAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _process.StandardOutput.ReadToEndAsync(cts.Token);
    }

    /// <summary>Waits for the host to exit and returns its exit code; fails the test if it is still running after <paramref
    /// name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The host was still running {timeout} later. stderr:\n{Stderr}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (as <c>kill -TERM</c> does); <see cref="Process.Kill()"/> would send SIGKILL instead.</summary>
    public void Signal(int signal)
    {
        if (NativeMethods.kill(_process.Id, signal) != 0)
        {
            Assert.Fail($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
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
            // It exited between the check and the kill.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The dotnet muxer running these tests, so the host runs on the same runtime; plain <c>dotnet</c> otherwise.</summary>
    private static string DotNetExecutable()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath
            && string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        return "dotnet";
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int kill(int pid, int sig);
    }
}
