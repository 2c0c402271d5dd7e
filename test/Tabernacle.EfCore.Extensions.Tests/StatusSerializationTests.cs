using System.Text.Json;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>The monitor's status serialises its enums as names, so a dashboard or a health endpoint shows "Primary", not 1.</summary>
public sealed class StatusSerializationTests
{
    [Fact]
    public void Status_enums_serialise_as_their_names_with_default_options()
    {
        var status = new ReplicaSetStatus(
            ReplicaSetState.ReplicaSet,
            "rs0",
            [new ReplicaSetMember("h1:27017", ReplicaSetMemberRole.Primary, true, null, TimeSpan.Zero, null, 0)],
            ReplicaSetStatusSource.ReplSetGetStatus,
            DateTimeOffset.UnixEpoch,
            new Dictionary<string, long>());

        var json = JsonSerializer.Serialize(status);

        Assert.Contains("\"State\":\"ReplicaSet\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Role\":\"Primary\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Source\":\"ReplSetGetStatus\"", json, StringComparison.Ordinal);
        Assert.Equal(ReplicaSetMemberRole.Primary, JsonSerializer.Deserialize<ReplicaSetMemberRole>("\"Primary\""));
    }
}
