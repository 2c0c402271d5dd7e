using System.Globalization;
using System.Text;

namespace Tabernacle.Chaos;

/// <summary>The one report a run prints: operations by kind and outcome, faults, anomalies, verdict.</summary>
internal static class Summary
{
    private const int MaxAnomaliesShown = 60;

    public static string Format(ChaosResult result)
    {
        var o = result.Options;
        var text = new StringBuilder();
        Line(text, $"seed {o.Seed} · {o.Duration.TotalSeconds:F0} s on {result.Target} · {o.Clients} clients · "
            + $"took {result.Elapsed.TotalSeconds:F1} s (heal {result.HealTime.TotalSeconds:F1} s)"
            + (o.Faults is null ? "" : $" · faults limited to {string.Join(",", o.Faults)}"));

        Line(text, "");
        Line(text, $"{"operations",-16}{"ok",8}{"fail",8}{"unknown",8}");
        foreach (var kind in Enum.GetValues<OpKind>())
        {
            var ops = result.History.Where(op => op.Kind == kind).ToList();
            Line(text, $"{kind,-16}{Count(ops, Outcome.Ok),8}{Count(ops, Outcome.Fail),8}{Count(ops, Outcome.Unknown),8}");
        }

        Line(text, $"{"total",-16}{Count(result.History, Outcome.Ok),8}{Count(result.History, Outcome.Fail),8}"
            + $"{Count(result.History, Outcome.Unknown),8}");

        var reasons = result.History.Where(op => op.Error is not null)
            .GroupBy(op => $"{op.Kind} {op.Outcome}: {op.Error}")
            .OrderByDescending(g => g.Count()).Take(12).ToList();
        if (reasons.Count > 0)
        {
            Line(text, "most frequent errors:");
            foreach (var group in reasons)
            {
                Line(text, $"  {group.Count(),6} × {group.Key}");
            }
        }

        Line(text, "");
        Line(text, $"{"faults",-24}{"injected",9}{"skipped",9}{"error",9}");
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            var records = result.Faults.Where(f => f.Step.Kind == kind).ToList();
            Line(text, $"{kind,-24}{records.Count(r => r.Status == FaultStatus.Injected),9}"
                + $"{records.Count(r => r.Status == FaultStatus.Skipped),9}{records.Count(r => r.Status == FaultStatus.Error),9}");
        }

        foreach (var skipped in result.Faults.Where(f => f.Status == FaultStatus.Skipped).GroupBy(f => $"{f.Step.Kind}: {f.Detail}"))
        {
            Line(text, $"  skipped {skipped.Count()} × {skipped.Key}");
        }

        Line(text, "fault log:");
        foreach (var record in result.Faults)
        {
            Line(text, $"  {record}");
        }

        foreach (var note in result.Notes)
        {
            Line(text, $"  note: {note}");
        }

        Line(text, "");
        Line(text, $"anomalies: {result.Anomalies.Count}");
        foreach (var group in result.Anomalies.GroupBy(a => a.Kind))
        {
            Line(text, $"  {group.Key}: {group.Count()}");
        }

        foreach (var anomaly in result.Anomalies.Take(MaxAnomaliesShown))
        {
            Line(text, $"  - {anomaly}");
        }

        if (result.Anomalies.Count > MaxAnomaliesShown)
        {
            Line(text, $"  ... and {result.Anomalies.Count - MaxAnomaliesShown} more");
        }

        Line(text, result.Anomalies.Count == 0
            ? $"PASS: seed {o.Seed}, no anomaly"
            : $"FAIL: seed {o.Seed}, {result.Anomalies.Count} anomalies (replay: --seed {o.Seed} --seconds {o.Duration.TotalSeconds:F0})");
        return text.ToString();
    }

    private static int Count(IEnumerable<Operation> ops, Outcome outcome) => ops.Count(op => op.Outcome == outcome);

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
}
