using MongoDB.Bson;

namespace Tabernacle.EfCore.Tests.Query.Functions;

/// <summary>
/// Twelve items chosen so each translated function separates them: mixed case and padded names, LIKE
/// metacharacters in codes, null/empty/blank nicknames, negative and half-way numbers, month ends and leap days,
/// offsets that move the local day, negative time spans, flag combinations.
/// </summary>
internal static class FunctionsData
{
    private static readonly TimeSpan India = TimeSpan.FromMinutes(330);
    private static readonly TimeSpan Pacific = TimeSpan.FromHours(-8);

    public static List<Item> Create() =>
    [
        Item(1, "Hammer", "hammy", "HAM-001", "Ham", "^H.*r$", 12.5m, 1.5, 10, 4, 1L << 40,
            new DateTime(2024, 1, 31, 9, 15, 30, 250, DateTimeKind.Utc), null, new DateTimeOffset(2024, 3, 1, 23, 30, 0, India),
                new DateOnly(2024, 2, 29), new TimeOnly(8, 30), TimeSpan.FromDays(365), Perks.FreeShipping | Perks.Express, Tier.Gold),
        Item(2, "saw", null, "saw-002", "x", "^s", 25m, 2.5, 0, null, -7, new DateTime(2023, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc),
            new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc), new DateTimeOffset(2024, 3, 1, 20, 0, 0, Pacific),
                new DateOnly(2023, 1, 31), new TimeOnly(23, 59, 59, 500), TimeSpan.FromHours(-36), Perks.None, Tier.Bronze),
        Item(3, "Nail Gun", "", "NG_003", "Nail", "gun", 2.5m, -0.5, 3, 5, 0, new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Utc),
            new DateTime(2024, 3, 5, 6, 30, 0, DateTimeKind.Utc), new DateTimeOffset(2023, 12, 31, 22, 0, 0, TimeSpan.Zero),
                new DateOnly(2024, 12, 31), new TimeOnly(0, 0), TimeSpan.FromMinutes(90), Perks.GiftWrap, Tier.Silver),
        Item(4, "  Drill  ", "  ", "DR%004", "  Dri", "Drill", 89.99m, 3.75, -2, 2, 123456789012,
            new DateTime(2022, 6, 15, 18, 45, 0, DateTimeKind.Utc), null, new DateTimeOffset(2022, 6, 15, 2, 0, 0, India),
                new DateOnly(2022, 6, 15), new TimeOnly(12, 0, 1), TimeSpan.FromDays(-1.5),
                    Perks.FreeShipping | Perks.GiftWrap | Perks.Express | Perks.Insured, Tier.Gold),
        Item(5, "wrench", "Wrenchy", "wr.005", "wr", "^W", 7.45m, 0, 7, null, 5, new DateTime(2024, 7, 4, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(2024, 7, 4, 12, 0, 0, DateTimeKind.Utc), new DateTimeOffset(2024, 7, 4, 1, 0, 0, Pacific),
                new DateOnly(2024, 7, 4), new TimeOnly(6, 15, 30), TimeSpan.FromSeconds(59), Perks.Insured, Tier.Bronze),
        Item(6, "Screwdriver", "driver", "SCR_006", "Screw", "driver$", 3.5m, 10.0, 15, 3, -1,
            new DateTime(2021, 3, 14, 15, 9, 26, 535, DateTimeKind.Utc), new DateTime(2021, 3, 20, 0, 0, 0, DateTimeKind.Utc),
                new DateTimeOffset(2021, 3, 14, 15, 9, 26, TimeSpan.Zero), new DateOnly(2021, 3, 14), new TimeOnly(15, 9, 26),
                    TimeSpan.FromDays(730), Perks.Express, Tier.Silver),
        Item(7, "TAPE", "tape", "TAPE-7", "ta", "^t", 1.25m, 0.25, 1, 1, 64, new DateTime(2024, 12, 25, 8, 0, 0, DateTimeKind.Utc), null,
            new DateTimeOffset(2024, 12, 25, 8, 0, 0, India), new DateOnly(2025, 1, 1), new TimeOnly(9, 0), TimeSpan.Zero,
                Perks.FreeShipping | Perks.GiftWrap, Tier.Bronze),
        Item(8, "glue", "Glue", "glue%8", "gl", "u", 0.5m, 2.0, 4, 5, 3, new DateTime(2020, 2, 29, 23, 0, 0, DateTimeKind.Utc),
            new DateTime(2020, 3, 1, 1, 0, 0, DateTimeKind.Utc), new DateTimeOffset(2020, 2, 29, 23, 0, 0, Pacific),
                new DateOnly(2020, 2, 29), new TimeOnly(18, 30, 0, 250), TimeSpan.FromHours(12.5), Perks.Insured | Perks.Express,
                    Tier.Gold),
        Item(9, "Level", null, "LVL_09", "el", "^L.v", 15.55m, -2.5, 8, 4, 9, new DateTime(2025, 5, 5, 5, 5, 5, 5, DateTimeKind.Utc), null,
            new DateTimeOffset(2025, 5, 5, 5, 5, 5, Pacific), new DateOnly(2025, 5, 5), new TimeOnly(5, 5, 5),
                TimeSpan.FromMilliseconds(1500), Perks.GiftWrap | Perks.Insured, Tier.Silver),
        Item(10, "Pliers", "pliers", "PLI-10", "s", "ers$", 9.5m, 100, 12, null, 10,
            new DateTime(2019, 10, 31, 10, 10, 10, DateTimeKind.Utc), new DateTime(2019, 11, 30, 0, 0, 0, DateTimeKind.Utc),
                new DateTimeOffset(2019, 10, 31, 10, 10, 10, India), new DateOnly(2019, 10, 31), new TimeOnly(10, 10, 10),
                    TimeSpan.FromDays(30), Perks.None, Tier.Bronze),
        Item(11, "chisel", "Chisel", "chi_11", "", "^C", -4.5m, 0.5, 5, 2, 11, new DateTime(2024, 3, 31, 12, 0, 0, DateTimeKind.Utc),
            new DateTime(2024, 4, 1, 0, 0, 0, DateTimeKind.Utc), new DateTimeOffset(2024, 3, 31, 12, 0, 0, TimeSpan.Zero),
                new DateOnly(2024, 3, 31), new TimeOnly(11, 11), TimeSpan.FromHours(-2), Perks.FreeShipping, Tier.Gold),
        Item(12, "Vise", "vise", "VISE-12", "V", "is", 30m, 4.5, 2, 3, 12, new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc), null,
            new DateTimeOffset(2099, 1, 1, 0, 0, 0, India), new DateOnly(2099, 1, 1), new TimeOnly(21, 45), TimeSpan.FromDays(3650),
                Perks.Express | Perks.GiftWrap, Tier.Silver),
    ];

    private static Item Item(int id, string name, string? nick, string code, string prefix, string pattern, decimal price, double weight,
        int quantity, int? rating, long big,
        DateTime createdAt, DateTime? shippedAt, DateTimeOffset listedAt, DateOnly releaseDate, TimeOnly opensAt, TimeSpan warranty,
            Perks perks, Tier tier) => new()
    {
        Id = id,
        Name = name,
        Nick = nick,
        Code = code,
        Prefix = prefix,
        Pattern = pattern,
        Price = price,
        Weight = weight,
        Quantity = quantity,
        Rating = rating,
        Big = big,
        CreatedAt = createdAt,
        ShippedAt = shippedAt,
        ListedAt = listedAt,
        ReleaseDate = releaseDate,
        OpensAt = opensAt,
        Warranty = warranty,
        Perks = perks,
        Tier = tier,
        NamedTier = tier,
        ExternalId = ObjectId.Parse($"65a1b2c3d4e5f6a7b8c9d0{id:x2}"),
    };
}
