using System.Linq.Expressions;

namespace Tabernacle.EfCore.Tests.Query.Functions;

public sealed class DateFunctionTests : FunctionsTestBase
{
    private static readonly DateTime NewYear2024 = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly double HalfDay = 0.5;

    private static readonly Dictionary<string, Expression<Func<Item, bool>>> Cases = new()
    {
        ["DateTime.Year"] = i => i.CreatedAt.Year == 2024,
        ["DateTime.Month"] = i => i.CreatedAt.Month == 2,
        ["DateTime.Day"] = i => i.CreatedAt.Day == 31,
        ["DateTime.Hour"] = i => i.CreatedAt.Hour >= 12,
        ["DateTime.Minute"] = i => i.CreatedAt.Minute == 59 || i.CreatedAt.Minute == 9,
        ["DateTime.Second"] = i => i.CreatedAt.Second > 20,
        ["DateTime.Millisecond"] = i => i.CreatedAt.Millisecond > 0,
        ["DateTime.DayOfWeek"] = i => i.CreatedAt.DayOfWeek == DayOfWeek.Thursday,
        ["DateTime.DayOfWeek Sunday"] = i => i.CreatedAt.DayOfWeek == DayOfWeek.Sunday,
        ["DateTime.DayOfWeek ordering"] = i => i.CreatedAt.DayOfWeek > DayOfWeek.Thursday,
        ["DateTime.DayOfYear"] = i => i.CreatedAt.DayOfYear > 180,
        ["DateTime.Date"] = i => i.CreatedAt.Date == new DateTime(2024, 7, 4, 0, 0, 0, DateTimeKind.Utc),
        ["DateTime.Date of two fields"] = i => i.ShippedAt != null && i.CreatedAt.Date == i.ShippedAt.Value.Date,
        ["DateTime.TimeOfDay"] = i => i.CreatedAt.TimeOfDay > TimeSpan.FromHours(12),
        ["DateTime.Ticks"] = i => i.CreatedAt.Ticks % TimeSpan.TicksPerSecond != 0,
        ["nullable DateTime part"] = i => i.ShippedAt.HasValue && i.ShippedAt.Value.Month == 3,
        ["AddYears"] = i => i.CreatedAt.AddYears(1).Year == 2025,
        ["AddMonths clamps to the month's end"] = i => i.CreatedAt.AddMonths(1).Day == 29,
        ["AddMonths negative"] = i => i.CreatedAt.AddMonths(-1).Day == 30,
        ["AddDays"] = i => i.CreatedAt.AddDays(1).Month != i.CreatedAt.Month,
        ["AddDays fractional"] = i => i.CreatedAt.AddDays(0.5).Day != i.CreatedAt.Day,
        ["AddDays fractional parameter"] = i => i.CreatedAt.AddDays(HalfDay).Day != i.CreatedAt.Day,
        ["AddDays of a field"] = i => i.CreatedAt.AddDays(i.Quantity) < NewYear2024,
        ["AddHours"] = i => i.CreatedAt.AddHours(-9.25).Day != i.CreatedAt.Day,
        ["AddMinutes"] = i => i.CreatedAt.AddMinutes(1).Hour != i.CreatedAt.Hour,
        ["AddSeconds"] = i => i.CreatedAt.AddSeconds(35).Minute != i.CreatedAt.Minute,
        ["AddMilliseconds"] = i => i.CreatedAt.AddMilliseconds(1).Second != i.CreatedAt.Second,
        ["difference TotalDays"] = i => i.ShippedAt != null && (i.ShippedAt.Value - i.CreatedAt).TotalDays > 3,
        ["difference TotalHours"] = i => i.ShippedAt != null && (i.ShippedAt.Value - i.CreatedAt).TotalHours < 30,
        ["difference as a TimeSpan"] = i => i.ShippedAt != null && i.ShippedAt.Value - i.CreatedAt > TimeSpan.FromDays(2),
        ["Subtract(DateTime)"] = i => i.ShippedAt != null && i.ShippedAt.Value.Subtract(i.CreatedAt).Days >= 1,
        ["Subtract(TimeSpan)"] = i => i.CreatedAt.Subtract(TimeSpan.FromDays(1)).Year == 2023,
        ["DateTime + TimeSpan field"] = i => i.CreatedAt + i.Warranty > new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        ["DateTime - TimeSpan field"] = i => i.CreatedAt - i.Warranty < new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        ["DateTime.UtcNow"] = i => i.CreatedAt < DateTime.UtcNow,
        ["DateTime.Now"] = i => DateTime.Now > i.CreatedAt,
        ["difference from UtcNow"] = i => (DateTime.UtcNow - i.CreatedAt).TotalDays > 2000,
        ["DateTimeOffset.Day is local"] = i => i.ListedAt.Day == 1,
        ["DateTimeOffset.Hour is local"] = i => i.ListedAt.Hour >= 20,
        ["DateTimeOffset.Year"] = i => i.ListedAt.Year == 2023,
        ["DateTimeOffset.DayOfWeek"] = i => i.ListedAt.DayOfWeek == DayOfWeek.Friday,
        ["DateTimeOffset.UtcDateTime"] = i => i.ListedAt.UtcDateTime.Day == 2,
        ["DateTimeOffset.DateTime"] = i => i.ListedAt.DateTime.Hour < 3,
        ["DateTimeOffset.Offset"] = i => i.ListedAt.Offset == TimeSpan.Zero,
        ["DateTimeOffset.Offset negative"] = i => i.ListedAt.Offset < TimeSpan.Zero,
        ["DateTimeOffset.UtcNow"] = i => i.ListedAt < DateTimeOffset.UtcNow,
        ["DateOnly.Year"] = i => i.ReleaseDate.Year == 2024,
        ["DateOnly.Month and Day"] = i => i.ReleaseDate.Month == 2 && i.ReleaseDate.Day == 29,
        ["DateOnly.DayOfWeek"] = i => i.ReleaseDate.DayOfWeek == DayOfWeek.Thursday,
        ["DateOnly.DayOfYear"] = i => i.ReleaseDate.DayOfYear == 366,
        ["DateOnly.AddDays"] = i => i.ReleaseDate.AddDays(1).Day == 1,
        ["DateOnly.AddMonths"] = i => i.ReleaseDate.AddMonths(1).Day == 28,
        ["DateOnly.AddYears"] = i => i.ReleaseDate.AddYears(1).Day == 28,
        ["DateOnly.FromDateTime"] = i => DateOnly.FromDateTime(i.CreatedAt) == i.ReleaseDate,
        ["TimeOnly.Hour"] = i => i.OpensAt.Hour < 9,
        ["TimeOnly.Minute"] = i => i.OpensAt.Minute == 30,
        ["TimeOnly.Second"] = i => i.OpensAt.Second > 0,
        ["TimeOnly.Millisecond"] = i => i.OpensAt.Millisecond > 0,
        ["TimeSpan.TotalDays"] = i => i.Warranty.TotalDays > 1,
        ["TimeSpan.Days negative"] = i => i.Warranty.Days == -1,
        ["TimeSpan.Hours negative"] = i => i.Warranty.Hours == -12,
        ["TimeSpan.Minutes"] = i => i.Warranty.Minutes == 30,
        ["TimeSpan.Seconds"] = i => i.Warranty.Seconds == 59,
        ["TimeSpan.Milliseconds"] = i => i.Warranty.Milliseconds == 500,
        ["TimeSpan.TotalHours"] = i => i.Warranty.TotalHours < 0,
        ["TimeSpan.TotalMinutes"] = i => i.Warranty.TotalMinutes > 60 && i.Warranty.TotalMinutes < 1000,
        ["TimeSpan.TotalSeconds"] = i => i.Warranty.TotalSeconds == 59,
        ["TimeSpan.TotalMilliseconds"] = i => i.Warranty.TotalMilliseconds == 1500,
        ["TimeSpan.FromDays of a field"] = i => i.Warranty > TimeSpan.FromDays(i.Quantity),
        ["TimeSpan + TimeSpan"] = i => i.Warranty + TimeSpan.FromDays(1) < TimeSpan.Zero,
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public Task Matches_linq_to_objects(string name) => AssertSameAsync(Cases[name]);
}
