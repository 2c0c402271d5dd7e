namespace Tabernacle.MongoEmulator.Tests.Differential;

// The documents of the differential suite, mapped by the driver's default conventions only:
// Id becomes _id, enums are stored as Int32, decimal as Decimal128 (driver 3.x default),
// DateTime as a UTC BSON date (millisecond precision), nulls are written as BSON null.

public enum Tier
{
    Bronze,
    Silver,
    Gold,
    Platinum,
}

public sealed class Customer
{
    public int Id { get; set; }

    public string? Name { get; set; }

    public string City { get; set; } = "";

    public int Age { get; set; }

    public long Points { get; set; }

    public double Rating { get; set; }

    public decimal Balance { get; set; }

    public int? Score { get; set; }

    public bool Active { get; set; }

    public DateTime JoinedAt { get; set; }

    public Tier Tier { get; set; }

    public Address? Address { get; set; }

    /// <summary>Supplementary-plane and halfwidth characters, where UTF-8 byte order (MongoDB) and UTF-16 ordinal order (.NET)
    /// differ.</summary>
    public string? Nickname { get; set; }

    /// <summary>Before and after 1970, so negative epoch milliseconds meet date operators and sorting.</summary>
    public DateTime BirthDate { get; set; }

    /// <summary>Doubles with NaN, infinities, negative zero, subnormal and huge values.</summary>
    public double Measure { get; set; }

    public List<string> Tags { get; set; } = [];

    public List<Contact> Contacts { get; set; } = [];
}

public sealed class Address
{
    public string Street { get; set; } = "";

    public string? City { get; set; }

    public int Zip { get; set; }

    public GeoPoint? Geo { get; set; }
}

public sealed class GeoPoint
{
    public double Lat { get; set; }

    public double Lng { get; set; }
}

public sealed class Contact
{
    public string Kind { get; set; } = "";

    public string Value { get; set; } = "";

    public int Priority { get; set; }

    public bool Verified { get; set; }
}

public sealed class Order
{
    public int Id { get; set; }

    public int CustomerId { get; set; }

    public string Status { get; set; } = "";

    public decimal Amount { get; set; }

    public int Quantity { get; set; }

    public double Discount { get; set; }

    public DateTime PlacedAt { get; set; }

    public string? Note { get; set; }

    /// <summary>Decimals of equal value and different scale (1.5, 1.50, 1.500), which MongoDB and .NET both treat as equal.</summary>
    public decimal Fee { get; set; }
}
