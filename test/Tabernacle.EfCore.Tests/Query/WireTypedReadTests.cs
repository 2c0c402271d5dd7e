using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Tabernacle.EfCore.Query.Internal;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query;

public enum TypedMood
{
    Calm,
    Busy,
    Tired,
}

public enum TypedScale : long
{
    Small = 1,
    Huge = 5_000_000_000,
}

/// <summary>A value type of the model stored as a double by a value converter.</summary>
public readonly record struct Celsius(double Degrees);

/// <summary>One property of each value type the wire reader reads with its own type, and each nullable form.</summary>
public class TypedReading
{
    public int Id { get; set; }

    public long Big { get; set; }

    public double Ratio { get; set; }

    public bool Open { get; set; }

    public DateTime At { get; set; }

    public decimal Price { get; set; }

    public Guid Tag { get; set; }

    public ObjectId Ref { get; set; }

    /// <summary>Stored as its number (no converter).</summary>
    public TypedMood Mood { get; set; }

    /// <summary>A long-based enum, stored as its number.</summary>
    public TypedScale Scale { get; set; }

    /// <summary>Stored as its name by a value converter.</summary>
    public TypedMood MoodText { get; set; }

    /// <summary>A converted value type.</summary>
    public Celsius Temperature { get; set; }

    public int? MaybeInt { get; set; }

    public long? MaybeLong { get; set; }

    public double? MaybeDouble { get; set; }

    public bool? MaybeBool { get; set; }

    public DateTime? MaybeAt { get; set; }

    public decimal? MaybePrice { get; set; }

    public Guid? MaybeTag { get; set; }

    public ObjectId? MaybeRef { get; set; }

    public TypedMood? MaybeMood { get; set; }

    public Celsius? MaybeTemperature { get; set; }

    [Default(7)]
    public int Defaulted { get; set; }

    /// <summary>Types stored as another BSON type (a double, an int32, an int64, a date, a string).</summary>
    public float Single { get; set; }

    public short Small { get; set; }

    public byte Tiny { get; set; }

    public uint Unsigned { get; set; }

    public TimeSpan Span { get; set; }

    public TimeOnly Time { get; set; }

    public DateOnly Day { get; set; }

    public char Letter { get; set; }

    public TimeSpan? MaybeSpan { get; set; }

    /// <summary>A complex property: its values are flattened into the entity's row.</summary>
    public TypedSpot Spot { get; set; } = new();

    /// <summary>An owned reference: a row of its own, with its owner's (typed) key.</summary>
    public TypedPart Part { get; set; } = new();

    /// <summary>An owned collection: a row per element, with an ordinal key.</summary>
    public List<TypedPart> Parts { get; set; } = [];
}

public class TypedSpot
{
    public int X { get; set; }

    public double? Y { get; set; }
}

public class TypedPart
{
    public int Count { get; set; }

    public DateTime Made { get; set; }
}

public abstract class TypedAnimal
{
    public int Id { get; set; }

    public string Name { get; set; } = "";
}

/// <summary>Siblings with value-type properties of their own (each read into a bank offset of its own).</summary>
public class TypedCat : TypedAnimal
{
    public double Weight { get; set; }
}

public class TypedDog : TypedAnimal
{
    public int Legs { get; set; }

    public bool Good { get; set; }
}

public class TypedKeeper
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";

    public DateTime Since { get; set; }
}

public class TypedPet
{
    public ObjectId Id { get; set; }

    public long Chip { get; set; }

    public ObjectId KeeperId { get; set; }

    public TypedKeeper? Keeper { get; set; }
}

public class TypedReadingContext(DbContextOptions<TypedReadingContext> options) : DbContext(options)
{
    public DbSet<TypedReading> Readings => Set<TypedReading>();

    public DbSet<TypedAnimal> Animals => Set<TypedAnimal>();

    public DbSet<TypedKeeper> Keepers => Set<TypedKeeper>();

    public DbSet<TypedPet> Pets => Set<TypedPet>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<TypedReading>(reading =>
        {
            reading.Property(r => r.Id).ValueGeneratedNever();
            reading.Property(r => r.MoodText).HasConversion<string>();
            reading.Property(r => r.Temperature).HasConversion(c => c.Degrees, d => new Celsius(d));
            reading.Property(r => r.MaybeTemperature).HasConversion(
                new Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<Celsius, double>(
                    c => c.Degrees, d => new Celsius(d)));
            reading.Property<long>("Version");
            reading.ComplexProperty(r => r.Spot);
        });
        modelBuilder.Entity<TypedAnimal>().Property(a => a.Id).ValueGeneratedNever();
        modelBuilder.Entity<TypedCat>();
        modelBuilder.Entity<TypedDog>();
        modelBuilder.Entity<TypedPet>().HasOne(p => p.Keeper).WithMany().HasForeignKey(p => p.KeeperId);
    }
}

/// <summary>
/// Value-type properties are read from the wire with their own type into the row's bank, and EF Core's materializer
/// reads them from there (no box per value): each test checks that the shape's rows hold typed values (the slot holds the
/// typed marker, not a box) and that the compiled shaper reads the bank, then the values, tracked and not.
/// </summary>
public sealed class WireTypedReadTests : ProviderTestBase<TypedReadingContext>
{
    private static readonly DateTime At = new(2025, 3, 4, 5, 6, 7, 890, DateTimeKind.Utc);
    private static readonly Guid Tag = Guid.Parse("6f1c2a52-8f4e-4c1a-9a0d-2f3f4b5c6d7e");
    private static readonly ObjectId Ref = ObjectId.Parse("65a1b2c3d4e5f60718293a4b");
    private static readonly ObjectId KeeperId = ObjectId.Parse("65a1b2c3d4e5f60718293a4c");

    private static readonly string[] ValueTypeProperties =
    [
        "Id", "Big", "Ratio", "Open", "At", "Price", "Tag", "Ref", "Mood", "Scale", "MoodText", "Temperature", "MaybeInt", "MaybeLong",
        "MaybeDouble", "MaybeBool", "MaybeAt", "MaybePrice", "MaybeTag", "MaybeRef", "MaybeMood", "MaybeTemperature", "Defaulted",
        "Version", "Single", "Small", "Tiny", "Unsigned", "Span", "Time", "Day", "Letter", "MaybeSpan",
    ];

    private static TypedReading Full(int id) => new()
    {
        Id = id,
        Big = 5_000_000_000L + id,
        Ratio = 0.25 * id,
        Open = id % 2 == 0,
        At = At.AddDays(id),
        Price = 12.34m + id,
        Tag = Tag,
        Ref = Ref,
        Mood = TypedMood.Busy,
        Scale = TypedScale.Huge,
        MoodText = TypedMood.Tired,
        Temperature = new Celsius(21.5 + id),
        MaybeInt = id == 1 ? null : -id,
        MaybeLong = id == 1 ? null : long.MinValue + id,
        MaybeDouble = id == 1 ? null : double.Epsilon,
        MaybeBool = id == 1 ? null : false,
        MaybeAt = id == 1 ? null : At.AddYears(100),
        MaybePrice = id == 1 ? null : -0.0001m,
        MaybeTag = id == 1 ? null : Guid.Empty,
        MaybeRef = id == 1 ? null : ObjectId.Empty,
        MaybeMood = id == 1 ? null : TypedMood.Calm,
        MaybeTemperature = id == 1 ? null : new Celsius(-40),
        Defaulted = 99,
        Single = 1.5f,
        Small = (short)-id,
        Tiny = (byte)(200 + id),
        Unsigned = uint.MaxValue - (uint)id,
        Span = TimeSpan.FromMinutes(90 + id),
        Time = new TimeOnly(23, 59, 58).Add(TimeSpan.FromMilliseconds(id)),
        Day = new DateOnly(2024, 2, 28).AddDays(id),
        Letter = (char)('a' + id),
        MaybeSpan = id == 1 ? null : TimeSpan.FromTicks(-id),
        Spot = new TypedSpot { X = 3 * id, Y = id == 1 ? null : 0.5 },
        Part = new TypedPart { Count = 10 * id, Made = At },
        Parts = [new TypedPart { Count = 1, Made = At }, new TypedPart { Count = 2, Made = At.AddHours(1) }],
    };

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Readings.AddRange(Full(1), Full(2));
        db.Entry(db.Readings.Local.Single(r => r.Id == 2)).Property<long>("Version").CurrentValue = 42;
        db.Animals.AddRange(new TypedCat { Id = 1, Name = "c", Weight = 4.25 }, new TypedDog { Id = 2, Name = "d", Legs = 3, Good = true });
        db.Keepers.Add(new TypedKeeper { Id = KeeperId, Name = "Kim", Since = At });
        db.Pets.Add(new TypedPet { Id = Ref, Chip = 1234567890123L, KeeperId = KeeperId });
        await db.SaveChangesAsync();
    }

    /// <summary>The serializer a query's shape compiled to (it reads from the wire: rows are value buffers).</summary>
    private static WireRowSerializer SerializerOf<T>(IQueryable<T> query)
    {
        var enumerable = query.Provider.Execute<IEnumerable<T>>(query.Expression);
        var serializer = enumerable.GetType().GetProperty("Serializer", BindingFlags.NonPublic | BindingFlags.Instance)!
            .GetValue(enumerable);
        return Assert.IsType<WireRowSerializer>(serializer);
    }

    /// <summary>The row the shape's serializer reads from a stored document.</summary>
    private static object?[] RowOf(WireRowSerializer serializer, BsonDocument document)
    {
        using var reader = new BsonDocumentReader(document);
        return serializer.Deserialize(BsonDeserializationContext.CreateRoot(reader));
    }

    private async Task<BsonDocument> StoredAsync(string collection, BsonValue id) =>
        await RawCollection(collection).Find(new BsonDocument("_id", id)).SingleAsync();

    private static IProperty PropertyOf(DbContext db, Type type, string name) => db.Model.FindEntityType(type)!.FindProperty(name)!;

    [Fact]
    public async Task Every_value_type_and_its_nullable_form_is_read_into_the_bank_and_reads_back_as_written()
    {
        await using var db = CreateContext();
        var query = db.Readings.AsNoTracking().Where(r => r.Id == 2);
        var serializer = SerializerOf(query);

        // Every value-type property is read into the bank, and the shaper reads it from there, not from a box.
        var row = RowOf(serializer, await StoredAsync("typedreadings", 2));
        foreach (var name in ValueTypeProperties)
        {
            Assert.True(WireTable.IsTyped(row[PropertyOf(db, typeof(TypedReading), name).GetIndex()]), name);
        }

        Assert.True(serializer.ShaperTypedReads >= ValueTypeProperties.Length, serializer.ShaperTypedReads.ToString());

        var reading = await query.SingleAsync();
        var expected = Full(2);
        Assert.Equal(
            (expected.Big, expected.Ratio, expected.Open, expected.At, expected.Price, expected.Tag, expected.Ref),
            (reading.Big, reading.Ratio, reading.Open, reading.At, reading.Price, reading.Tag, reading.Ref));
        Assert.Equal(DateTimeKind.Utc, reading.At.Kind);
        Assert.Equal((TypedMood.Busy, TypedScale.Huge, TypedMood.Tired), (reading.Mood, reading.Scale, reading.MoodText));
        Assert.Equal(new Celsius(23.5), reading.Temperature);
        Assert.Equal(
            (-2, long.MinValue + 2, double.Epsilon, false), (reading.MaybeInt, reading.MaybeLong, reading.MaybeDouble, reading.MaybeBool));
        Assert.Equal(expected.MaybeAt, reading.MaybeAt);
        Assert.Equal((-0.0001m, Guid.Empty, ObjectId.Empty), (reading.MaybePrice, reading.MaybeTag, reading.MaybeRef));
        Assert.Equal((TypedMood?)TypedMood.Calm, reading.MaybeMood);
        Assert.Equal(new Celsius(-40), reading.MaybeTemperature);
        Assert.Equal(99, reading.Defaulted);
        Assert.Equal(
            (expected.Single, expected.Small, expected.Tiny, expected.Unsigned, expected.Span, expected.Time, expected.Day,
                expected.Letter),
            (reading.Single, reading.Small, reading.Tiny, reading.Unsigned, reading.Span, reading.Time, reading.Day, reading.Letter));
        Assert.Equal(TimeSpan.FromTicks(-2), reading.MaybeSpan);
        Assert.Equal((6, 0.5), (reading.Spot.X, reading.Spot.Y));
        Assert.Equal((20, At), (reading.Part.Count, reading.Part.Made));
        Assert.Equal([(1, At), (2, At.AddHours(1))], reading.Parts.Select(p => (p.Count, p.Made)));
    }

    [Fact]
    public async Task Null_and_missing_typed_elements_read_as_null_or_their_default_and_nulls_stay_out_of_the_bank()
    {
        await using var db = CreateContext();
        var query = db.Readings.AsNoTracking().Where(r => r.Id == 1);
        var row = RowOf(SerializerOf(query), await StoredAsync("typedreadings", 1));
        Assert.Null(row[PropertyOf(db, typeof(TypedReading), "MaybeInt").GetIndex()]);
        Assert.Null(row[PropertyOf(db, typeof(TypedReading), "MaybeTemperature").GetIndex()]);

        var reading = await query.SingleAsync();
        Assert.Equal((null, null, null, null), (reading.MaybeInt, reading.MaybeLong, reading.MaybeDouble, reading.MaybeBool));
        Assert.Equal((null, null, null, null), (reading.MaybeAt, reading.MaybePrice, reading.MaybeTag, reading.MaybeRef));
        Assert.Null(reading.MaybeMood);
        Assert.Null(reading.MaybeTemperature);
        Assert.Null(reading.MaybeSpan);
        Assert.Null(reading.Spot.Y);

        var document = (await StoredAsync("typedreadings", 1)).DeepClone().AsBsonDocument;
        document["_id"] = 3;
        document.Remove("Defaulted");
        document["MaybeInt"] = BsonNull.Value;
        await RawCollection("typedreadings").InsertOneAsync(document);
        var defaulted = await db.Readings.AsNoTracking().SingleAsync(r => r.Id == 3);
        Assert.Equal((7, (int?)null), (defaulted.Defaulted, defaulted.MaybeInt));
    }

    [Fact]
    public async Task Elements_of_another_BSON_type_are_read_boxed_and_convert_as_before()
    {
        var document = (await StoredAsync("typedreadings", 2)).DeepClone().AsBsonDocument;
        document["_id"] = 4;
        document["Big"] = 6;                 // int32 for a long
        document["Ratio"] = 2;               // int32 for a double
        document["Price"] = 1.5;             // double for a decimal
        document["MaybeInt"] = 9L;           // int64 for an int?
        document["Temperature"] = 30;        // int32 for the converter's double
        await RawCollection("typedreadings").InsertOneAsync(document);

        await using var db = CreateContext();
        var query = db.Readings.AsNoTracking().Where(r => r.Id == 4);
        var row = RowOf(SerializerOf(query), document);
        Assert.Equal(6L, row[PropertyOf(db, typeof(TypedReading), "Big").GetIndex()]);
        Assert.True(WireTable.IsTyped(row[PropertyOf(db, typeof(TypedReading), "Open").GetIndex()]));

        var reading = await query.SingleAsync();
        Assert.Equal((6L, 2.0, 1.5m, (int?)9), (reading.Big, reading.Ratio, reading.Price, reading.MaybeInt));
        Assert.Equal((TypedMood.Busy, new Celsius(30)), (reading.Mood, reading.Temperature));
    }

    [Theory]
    [InlineData("Small", 70_000, "Int16")]
    [InlineData("Tiny", -1, "Byte")]
    [InlineData("Letter", "ab", "Char")]
    public async Task A_stored_value_out_of_a_narrow_type_s_range_is_the_same_clear_error(
        string element, object stored, string type)
    {
        var document = (await StoredAsync("typedreadings", 2)).DeepClone().AsBsonDocument;
        document["_id"] = 5;
        document[element] = BsonValue.Create(stored);
        await RawCollection("typedreadings").InsertOneAsync(document);
        await using var db = CreateContext();
        var query = db.Readings.AsNoTracking().Where(r => r.Id == 5);
        Assert.True(SerializerOf(query).ShaperTypedReads > 0);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => query.SingleAsync());
        Assert.Contains($"cannot be read as '{type}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_required_value_is_the_same_clear_error_naming_a_typed_id()
    {
        await RawCollection("typedpets").InsertOneAsync(new BsonDocument { { "_id", KeeperId }, { "KeeperId", KeeperId } });
        await using var db = CreateContext();
        var query = db.Pets.AsNoTracking().Where(p => p.Id == KeeperId);
        Assert.True(SerializerOf(query).ShaperTypedReads > 0);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => query.SingleAsync());
        Assert.Contains(KeeperId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("has no element 'Chip'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tracked_queries_find_entries_by_typed_keys_carry_typed_shadow_values_and_save_back()
    {
        await using (var db = CreateContext())
        {
            var query = db.Readings.Where(r => r.Id == 2);
            var serializer = SerializerOf(query);
            Assert.True(serializer.ShaperTypedReads > 0);

            // The identity map looks entries up by the key as an object: a tracking shape keeps the key boxed, the rest typed.
            var row = RowOf(serializer, await StoredAsync("typedreadings", 2));
            Assert.Equal(2, row[PropertyOf(db, typeof(TypedReading), "Id").GetIndex()]);
            Assert.True(WireTable.IsTyped(row[PropertyOf(db, typeof(TypedReading), "Big").GetIndex()]));
            Assert.True(WireTable.IsTyped(row[PropertyOf(db, typeof(TypedReading), "Version").GetIndex()]));
            var reading = await query.SingleAsync();
            Assert.Same(reading, await db.Readings.SingleAsync(r => r.Id == 2));
            Assert.Equal(42L, db.Entry(reading).Property<long>("Version").CurrentValue);
            Assert.Equal(EntityState.Unchanged, db.Entry(reading).State);
            Assert.Equal(EntityState.Unchanged, db.Entry(reading.Part).State);
            // Owner keys and ordinals are filled in (boxed), not read: the owned entries still get them.
            var partKey = db.Entry(reading.Part).Metadata.FindPrimaryKey()!.Properties.Single();
            Assert.Equal(2, db.Entry(reading.Part).Property(partKey.Name).CurrentValue);
            var ordinal = db.Entry(reading.Parts[0]).Metadata.FindPrimaryKey()!.Properties[^1];
            Assert.Equal([1, 2], reading.Parts.Select(p => db.Entry(p).Property(ordinal.Name).CurrentValue));
            reading.Big = 7;
            reading.Part.Count = 77;
            reading.MaybeTemperature = null;
            await db.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var saved = await check.Readings.AsNoTracking().SingleAsync(r => r.Id == 2);
        Assert.Equal((7L, 77, (Celsius?)null, TypedMood.Busy), (saved.Big, saved.Part.Count, saved.MaybeTemperature, saved.Mood));

        // Identity resolution without tracking keeps keys boxed too, and reads the rest typed.
        var resolving = check.Readings.AsNoTrackingWithIdentityResolution().OrderBy(r => r.Id);
        Assert.True(SerializerOf(resolving).ShaperTypedReads > 0);
        Assert.Equal([(1, 5_000_000_001L), (2, 7L)], (await resolving.ToListAsync()).Select(r => (r.Id, r.Big)));
    }

    [Fact]
    public async Task Hierarchy_siblings_read_their_own_typed_values()
    {
        await using var db = CreateContext();
        var query = db.Animals.AsNoTracking().OrderBy(a => a.Id);
        var serializer = SerializerOf(query);
        var dogRow = RowOf(serializer, await StoredAsync("typedanimals", 2));
        Assert.True(WireTable.IsTyped(dogRow[PropertyOf(db, typeof(TypedDog), "Legs").GetIndex()]));
        var catRow = RowOf(serializer, await StoredAsync("typedanimals", 1));
        Assert.True(WireTable.IsTyped(catRow[PropertyOf(db, typeof(TypedCat), "Weight").GetIndex()]));

        var animals = await query.ToListAsync();
        Assert.Equal(4.25, Assert.IsType<TypedCat>(animals[0]).Weight);
        var dog = Assert.IsType<TypedDog>(animals[1]);
        Assert.Equal((3, true), (dog.Legs, dog.Good));
        var tracked = await db.Animals.OfType<TypedDog>().SingleAsync();
        Assert.Equal(3, tracked.Legs);
    }

    [Fact]
    public async Task Include_of_a_reference_reads_the_joined_entity_and_its_typed_key()
    {
        await using var db = CreateContext();
        var query = db.Pets.Include(p => p.Keeper).Where(p => p.Id == Ref);
        Assert.True(SerializerOf(query).ShaperTypedReads > 0);
        var pet = await query.SingleAsync();
        Assert.Equal((1234567890123L, KeeperId, "Kim", At), (pet.Chip, pet.Keeper!.Id, pet.Keeper.Name, pet.Keeper.Since));
        Assert.Same(pet.Keeper, await db.Keepers.SingleAsync());
        var untracked = await db.Pets.AsNoTracking().Include(p => p.Keeper).SingleAsync();
        Assert.Equal(At, untracked.Keeper!.Since);
    }

    [Fact]
    public async Task Rows_over_many_batches_and_slabs_and_of_concurrent_queries_keep_their_own_typed_values()
    {
        // 1,200 dogs of 3 longs each fill several 512-long slabs; rows of later batches arrive through getMore, perhaps on
        // another thread (each thread claims from its own slab).
        var template = await StoredAsync("typedanimals", 2);
        await RawCollection("typedanimals").InsertManyAsync(Enumerable.Range(100, 1_200).Select(i =>
        {
            var dog = template.DeepClone().AsBsonDocument;
            dog["_id"] = i;
            dog["Legs"] = i * 3;
            dog["Good"] = i % 3 == 0;
            return dog;
        }));
        await using var db = CreateContext();
        var query = db.Animals.AsNoTracking().OfType<TypedDog>().Where(d => d.Id >= 100).OrderBy(d => d.Id);
        Assert.True(SerializerOf(query).ShaperTypedReads > 0);

        async Task CheckAsync()
        {
            await using var context = CreateContext();
            var dogs = await context.Animals.AsNoTracking().OfType<TypedDog>().Where(d => d.Id >= 100).OrderBy(d => d.Id).ToListAsync();
            Assert.Equal(Enumerable.Range(100, 1_200).Select(i => (i, i * 3, i % 3 == 0)), dogs.Select(d => (d.Id, d.Legs, d.Good)));
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(CheckAsync)));
        Assert.Equal(Enumerable.Range(100, 1_200).Select(i => i * 3), query.ToList().Select(d => d.Legs));
    }

    /// <summary>Records what EF Core's materialization interception sees of each reading's values.</summary>
    private sealed class ValueProbe : Microsoft.EntityFrameworkCore.Diagnostics.IMaterializationInterceptor
    {
        public List<(int Id, long Big, Celsius? MaybeTemperature, TypedMood Mood)> Seen { get; } = [];

        public object InitializedInstance(Microsoft.EntityFrameworkCore.Diagnostics.MaterializationInterceptionData data, object entity)
        {
            if (entity is TypedReading)
            {
                Seen.Add((data.GetPropertyValue<int>("Id"), data.GetPropertyValue<long>("Big"),
                    data.GetPropertyValue<Celsius?>("MaybeTemperature"), data.GetPropertyValue<TypedMood>("Mood")));
            }

            return entity;
        }
    }

    [Fact]
    public async Task A_materialization_interceptor_reads_typed_values_through_its_accessors()
    {
        var probe = new ValueProbe();
        await using var db = CreateContext(core: b => b.AddInterceptors(probe));
        var query = db.Readings.AsNoTracking().OrderBy(r => r.Id);
        Assert.True(SerializerOf(query).ShaperTypedReads > 0);
        await query.ToListAsync();
        await db.Readings.Where(r => r.Id == 2).ToListAsync();
        Assert.Equal(
            [(1, 5_000_000_001L, null, TypedMood.Busy), (2, 5_000_000_002L, new Celsius(-40), TypedMood.Busy),
                (2, 5_000_000_002L, new Celsius(-40), TypedMood.Busy)],
            probe.Seen);
    }

    [Fact]
    public async Task Projected_value_types_are_read_into_the_bank()
    {
        await using var db = CreateContext();
        var query = db.Readings.OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.Ratio, r.MaybeDouble, r.Mood, r.Temperature, r.MaybeTemperature, r.Part.Count, r.Spot.X, r.At });
        var serializer = SerializerOf(query);
        var row = RowOf(serializer, await StoredAsync("typedreadings", 2));
        Assert.Equal(9, row.Take(row.Length - 1).Count(v => WireTable.IsTyped(v)));
        Assert.IsType<long[]>(row[^1]);

        var rows = await query.ToListAsync();
        Assert.Equal((1, 0.25, (double?)null, TypedMood.Busy, new Celsius(22.5), (Celsius?)null, 10, 3, At.AddDays(1)),
            (rows[0].Id, rows[0].Ratio, rows[0].MaybeDouble, rows[0].Mood, rows[0].Temperature, rows[0].MaybeTemperature, rows[0].Count,
                rows[0].X, rows[0].At));
        Assert.Equal((0.5, double.Epsilon, new Celsius(-40)), (rows[1].Ratio, rows[1].MaybeDouble, rows[1].MaybeTemperature!.Value));
        Assert.Equal(0.75, await db.Readings.SumAsync(r => r.Ratio));
        Assert.Equal(5_000_000_002L, await db.Readings.MaxAsync(r => r.Big));
    }
}
