using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Tests.Security;

[Index(nameof(Number), IsUnique = true)]
public class Account
{
    public ObjectId Id { get; set; }

    public int Number { get; set; }

    [Required]
    [MaxLength(40)]
    public string Owner { get; set; } = "";

    public int Balance { get; set; }
}

public class SecurityContext(DbContextOptions<SecurityContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
}
