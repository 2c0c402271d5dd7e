using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Tabernacle.EfCore.Diagnostics.Internal;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>
/// Totals of the provider's reads counter, per member and per read preference, for the monitor's snapshots: one
/// process-wide <see cref="MeterListener"/> (the counter is process-wide too).
/// </summary>
internal static class ReadCounter
{
    private static readonly ConcurrentDictionary<string, long> ByServer = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<string, long> ByReadPreference = new(StringComparer.Ordinal);
    private static readonly object Gate = new();
    private static MeterListener? _listener;

    public static void EnsureStarted()
    {
        lock (Gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == TabernacleDiagnostics.MeterName
                        && instrument.Name == TabernacleDiagnostics.ReadsInstrumentName)
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>(OnMeasurement);
            listener.Start();
            _listener = listener;
        }
    }

    private static void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Value is not string text)
            {
                continue;
            }

            if (tag.Key == TabernacleDiagnostics.ServerTag)
            {
                ByServer.AddOrUpdate(text, value, (_, v) => v + value);
            }
            else if (tag.Key == TabernacleDiagnostics.ReadPreferenceTag)
            {
                ByReadPreference.AddOrUpdate(text, value, (_, v) => v + value);
            }
        }
    }

    public static long ReadsServedBy(string member) => ByServer.TryGetValue(member, out var n) ? n : 0;

    public static IReadOnlyDictionary<string, long> ReadsByReadPreference() =>
        new Dictionary<string, long>(ByReadPreference, StringComparer.Ordinal);
}
