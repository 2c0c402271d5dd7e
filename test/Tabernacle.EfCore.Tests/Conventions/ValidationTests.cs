using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Conventions;

public class Member : IValidatableObject
{
    public ObjectId Id { get; set; }

    [Required]
    public string Name { get; set; } = "";

    [StringLength(5)]
    public string? Code { get; set; }

    [MinLength(2)]
    public List<string> Tags { get; set; } = ["a", "b"];

    [MaxLength(3)]
    public string? Short { get; set; }

    [Range(0, 120)]
    public int Age { get; set; }

    [RegularExpression("^[a-z]+$")]
    public string? Slug { get; set; }

    [AllowedValues("red", "green", null)]
    public string? Color { get; set; }

    [DeniedValues("root")]
    public string? Login { get; set; }

    [EmailAddress]
    public string? Email { get; set; }

    [Url]
    public string? Site { get; set; }

    public Address? Home { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Age < 18 && Color == "red")
        {
            yield return new ValidationResult("Minors cannot pick red.", [nameof(Age), nameof(Color)]);
        }
    }
}

public class Address
{
    [Required]
    public string City { get; set; } = "";
}

public class ValidationContextDb(DbContextOptions<ValidationContextDb> options) : DbContext(options)
{
    public DbSet<Member> Members => Set<Member>();
}

public sealed class ValidationTests : ProviderTestBase<ValidationContextDb>
{
    private static Member Valid(string name = "ok") =>
        new() { Name = name, Age = 30, Color = "red", Home = new Address { City = "Paris" } };

    private Task<long> StoredCountAsync() => RawCollection("members").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);

    [Fact]
    public async Task Valid_entities_save()
    {
        await using var db = CreateContext();
        db.Members.Add(Valid());
        await db.SaveChangesAsync();
        Assert.Equal(1, await StoredCountAsync());
    }

    [Fact]
    public async Task Every_failure_of_every_entity_is_listed_and_nothing_is_written()
    {
        var bad = new Member
        {
            Name = "", Code = "toolong", Tags = ["x"], Short = "abcd", Age = 200, Slug = "Not-Slug", Color = "blue", Login = "root",
            Email = "not-an-email", Site = "not a url", Home = new Address { City = "" },
        };
        var minor = new Member { Name = "kid", Age = 10, Color = "red" };
        await using var db = CreateContext();
        db.Members.AddRange(Valid("fine"), bad, minor);

        var error = await Assert.ThrowsAsync<TabernacleValidationException>(() => db.SaveChangesAsync());

        Assert.Equal(0, await StoredCountAsync());
        var badFailures = error.Failures.Where(f => ReferenceEquals(f.Entity, bad)).ToList();
        Assert.Equal(
            ["Age", "Code", "Color", "Email", "Login", "Name", "Short", "Site", "Slug", "Tags"],
            badFailures.SelectMany(f => f.MemberNames).Order(StringComparer.Ordinal));
        Assert.All(badFailures, f => Assert.Equal("Member", f.EntityTypeName));
        Assert.All(badFailures, f => Assert.Equal(bad.Id, f.Key["Id"]));

        var owned = Assert.Single(error.Failures, f => ReferenceEquals(f.Entity, bad.Home));
        Assert.Equal(["City"], owned.MemberNames);
        Assert.Contains("Address", owned.EntityTypeName);
        Assert.Contains(bad.Id, owned.Key.Values);

        var objectLevel = Assert.Single(error.Failures, f => ReferenceEquals(f.Entity, minor));
        Assert.Equal(["Age", "Color"], objectLevel.MemberNames);
        Assert.Equal("Minors cannot pick red.", objectLevel.ErrorMessage);

        Assert.Equal(12, error.Failures.Count);
        Assert.Contains($"Member {{Id: {bad.Id}}}: Name: The Name field is required.", error.Message);
        Assert.Contains("Minors cannot pick red.", error.Message);
    }

    [Fact]
    public async Task Modified_entities_are_validated_and_the_stored_document_is_left_alone()
    {
        var member = Valid();
        await using (var db = CreateContext())
        {
            db.Members.Add(member);
            await db.SaveChangesAsync();
        }

        await using (var db = CreateContext())
        {
            var loaded = await db.Members.SingleAsync();
            loaded.Age = -1;
            loaded.Name = "changed";
            var error = Assert.Throws<TabernacleValidationException>(() => db.SaveChanges());
            Assert.Equal(["Age"], Assert.Single(error.Failures).MemberNames);
        }

        var raw = await RawCollection("members").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        Assert.Equal(("ok", 30), (raw["Name"].AsString, raw["Age"].AsInt32));
    }

    [Fact]
    public async Task Deleted_entities_are_not_validated()
    {
        await RawCollection("members").InsertOneAsync(
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["Name"] = "", ["Tags"] = new BsonArray(), ["Age"] = 500,
                ["Home"] = BsonNull.Value });
        await using var db = CreateContext();
        db.Members.Remove(await db.Members.SingleAsync());
        await db.SaveChangesAsync();
        Assert.Equal(0, await StoredCountAsync());
    }

    [Fact]
    public async Task ValidateOnSave_false_turns_validation_off()
    {
        await using var db = CreateContext(o => o.ValidateOnSave(false));
        db.Members.Add(new Member { Name = "", Age = 500 });
        await db.SaveChangesAsync();
        Assert.Equal(1, await StoredCountAsync());
    }
}
