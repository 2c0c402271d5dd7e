using System.ComponentModel;
using System.Diagnostics;

namespace Tabernacle.Testing;

/// <summary>
/// The one way the suites run a command line to completion (dotnet, node, npm, the packed tool): output collected, a
/// time bound after which the whole process tree is killed, and errors that say what was run.
/// </summary>
public static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> and returns
    /// its exit code and output. Throws a <see cref="TimeoutException"/> carrying the output so far when it has not
    /// finished within <paramref name="timeout"/>, and an <see cref="InvalidOperationException"/> when it cannot start
    /// (with <paramref name="missingHint"/>, which says how to get the program).
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, string? missingHint = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not run '{fileName}': {ex.Message}. {missingHint}".TrimEnd(), ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException(
                    $"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout}.\n"
                    + $"stdout: {await stdout.ConfigureAwait(false)}\nstderr: {await stderr.ConfigureAwait(false)}");
            }

            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }
}
