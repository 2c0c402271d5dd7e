using System.Globalization;
using System.Text;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Servers;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// Turns the driver's server-selection timeout into an error that says what the driver saw and what to change: the
/// replica set names the seed members answer with (the driver drops members of another set from its view, so they are
/// asked directly), or the members' tags when no member matches the read preference's tag sets.
/// </summary>
internal static class ServerSelectionDiagnosis
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static bool IsServerSelectionTimeout(Exception exception) =>
        exception is TimeoutException && exception.Message.Contains("selecting a server", StringComparison.Ordinal);

    public static TimeoutException Explain(IMongoClient client, ReadPreference? readPreference, TimeoutException timeout)
    {
        var answers = client.Settings.Servers.Select(server => (server, Probe(client.Settings, server))).ToList();
        return Build(client, readPreference, answers, timeout);
    }

    public static async Task<TimeoutException> ExplainAsync(IMongoClient client, ReadPreference? readPreference, TimeoutException timeout)
    {
        var answers = new List<(MongoServerAddress, BsonDocument?)>();
        foreach (var server in client.Settings.Servers)
        {
            answers.Add((server, await ProbeAsync(client.Settings, server).ConfigureAwait(false)));
        }

        return Build(client, readPreference, answers, timeout);
    }

    private static TimeoutException Build(
        IMongoClient client,
        ReadPreference? readPreference,
        List<(MongoServerAddress Server, BsonDocument? Hello)> answers,
        TimeoutException timeout)
    {
        var expected = client.Settings.ReplicaSetName;
        var text = new StringBuilder("No member of the replica set could be selected within the server selection timeout (")
            .Append(client.Settings.ServerSelectionTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)).Append(" s). ");
        var reported = answers.Where(a => a.Hello is not null).Select(a => a.Hello!.GetValue("setName", BsonNull.Value)).ToList();
        var names = reported.Where(n => n.IsString).Select(n => n.AsString).Distinct(StringComparer.Ordinal).ToList();
        if (answers.All(a => a.Hello is null))
        {
            text.Append("None of the members in the connection string (")
                .Append(string.Join(", ", answers.Select(a => a.Server.ToString())))
                .Append(") answered: check the host names, ports and network.");
        }
        else if (expected is not null && !names.Contains(expected, StringComparer.Ordinal))
        {
            text.Append("The connection string asks for replicaSet=").Append(expected).Append(" but the members answered as ")
                .Append(names.Count == 0 ? "no replica set (standalone servers)" : string.Join(", ", names.Select(n => $"set '{n}'")))
                .Append(names.Count == 1 ? $": set replicaSet={names[0]} in the connection string." : ".");
        }
        else if (readPreference is { TagSets.Count: > 0 } tagged && tagged.TagSets.Any(t => t.Tags.Count > 0))
        {
            var tags = answers.Where(a => a.Hello is not null)
                .Select(a => $"{a.Server} {a.Hello!.GetValue("tags", new BsonDocument())}");
            text.Append("No ").Append(tagged.ReadPreferenceMode).Append(" member matches the tag sets ")
                .Append(string.Join(" or ", tagged.TagSets.Select(Describe)))
                .Append("; the members carry ").Append(string.Join("; ", tags))
                .Append(". Change the tag sets of WithReadPreference (or the connection string's readPreferenceTags), ")
                .Append("or add an empty tag set to fall back to any member.");
        }
        else
        {
            text.Append("The driver saw: ").Append(DescribeCluster(client.Cluster.Description)).Append('.');
        }

        return new TimeoutException(text.ToString(), timeout);
    }

    private static string Describe(TagSet tagSet) => "{ " + string.Join(", ", tagSet.Tags.Select(t => $"{t.Name}: {t.Value}")) + " }";

    private static string DescribeCluster(ClusterDescription cluster) =>
        $"{cluster.Type} {cluster.State}, " + string.Join(", ", cluster.Servers.Select(s => $"{s.EndPoint} {s.Type} {s.State}"));

    // A direct connection to one seed member, with the same credentials and TLS, asking only "hello".
    private static MongoClient ProbeClient(MongoClientSettings settings, MongoServerAddress server)
    {
        var probe = settings.Clone();
        probe.Servers = [server];
        probe.DirectConnection = true;
        probe.ReplicaSetName = null;
        probe.ServerSelectionTimeout = ProbeTimeout;
        probe.ConnectTimeout = ProbeTimeout;
        return new MongoClient(probe);
    }

    private static BsonDocument? Probe(MongoClientSettings settings, MongoServerAddress server)
    {
        using var client = ProbeClient(settings, server);
        try
        {
            return client.GetDatabase("admin").RunCommand<BsonDocument>(new BsonDocument("hello", 1));
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            return null;
        }
    }

    private static async Task<BsonDocument?> ProbeAsync(MongoClientSettings settings, MongoServerAddress server)
    {
        using var client = ProbeClient(settings, server);
        try
        {
            return await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            return null;
        }
    }
}
