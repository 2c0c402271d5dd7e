using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using MongoDB.Bson;
using Tabernacle.EfCore;

namespace LibraryManagement;

public static class Roles
{
    public const string Member = "member";
    public const string Librarian = "librarian";
    public const string Admin = "admin";

    public static readonly string[] All = [Member, Librarian, Admin];
}

/// <summary>
/// A library user: an ASP.NET Core Identity user (normalised unique user name, e-mail, password hash, lockout, security
/// stamp) kept by Identity's own EF Core stores; roles are Identity roles.
/// </summary>
public class User : IdentityUser
{
    [AutoNowAdd]
    public DateTime CreatedAt { get; set; }
}

public class Author
{
    public ObjectId Id { get; set; }

    [Required]
    public string Name { get; set; } = "";

    public string? Biography { get; set; }

    [AutoNowAdd]
    public DateTime CreatedAt { get; set; }
}

/// <summary>A category; its name is unique.</summary>
public class Category
{
    public ObjectId Id { get; set; }

    [Required]
    public string Name { get; set; } = "";

    public string? Description { get; set; }
}

/// <summary>A book; its ISBN is unique. Available copies never go below zero: borrowing decrements them conditionally.</summary>
public class Book
{
    public ObjectId Id { get; set; }

    [Required]
    public string Title { get; set; } = "";

    public string? Description { get; set; }

    [Required]
    public string Isbn { get; set; } = "";

    public ObjectId AuthorId { get; set; }

    public ObjectId CategoryId { get; set; }

    public int PublishedYear { get; set; }

    [Range(0, 10_000)]
    public int TotalCopies { get; set; }

    [Range(0, 10_000)]
    public int AvailableCopies { get; set; }

    [Default(0)]
    public int TimesBorrowed { get; set; }

    [AutoNowAdd]
    public DateTime CreatedAt { get; set; }

    [AutoNow]
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A loan: due 14 days after borrowing; 0.50 per day overdue once returned (or as of now while out).</summary>
public class Loan
{
    public const int LoanDays = 14;
    public const int MaxActiveLoans = 5;
    public const decimal FinePerDay = 0.50m;

    public ObjectId Id { get; set; }

    public ObjectId BookId { get; set; }

    public string UserId { get; set; } = "";

    [AutoNowAdd]
    public DateTime BorrowedAt { get; set; }

    public DateTime DueAt { get; set; }

    public DateTime? ReturnedAt { get; set; }

    [Default(0)]
    public decimal Fine { get; set; }

    public static decimal FineFor(DateTime dueAt, DateTime asOf)
    {
        var days = (int)Math.Floor((asOf - dueAt).TotalDays);
        return days > 0 ? days * FinePerDay : 0m;
    }
}

/// <summary>
/// One per member: how many loans they have out. Every borrow increments it conditionally (below the limit) inside its
/// transaction, so concurrent borrows by the same member conflict on this document and the limit holds.
/// </summary>
public class LoanQuota
{
    /// <summary>The member's user id.</summary>
    public string Id { get; set; } = "";

    public int ActiveLoans { get; set; }
}

public class Reservation
{
    public ObjectId Id { get; set; }

    public ObjectId BookId { get; set; }

    public string UserId { get; set; } = "";

    [Default("active")]
    public string Status { get; set; } = "";

    [AutoNowAdd]
    public DateTime CreatedAt { get; set; }
}

/// <summary>An audit log entry: written with w:1 (fast, acknowledged by the primary alone).</summary>
[WriteConcern(1)]
public class AuditEntry
{
    public ObjectId Id { get; set; }

    public string Action { get; set; } = "";

    public string? UserId { get; set; }

    public string Details { get; set; } = "";

    [AutoNowAdd]
    public DateTime At { get; set; }
}

/// <summary>
/// A message for a member, written by <see cref="LiveUpdates.ReservationNotifier"/> when a copy of a book they reserved
/// is returned. One per returned loan (<see cref="LoanId"/>), so a change handled twice notifies once.
/// </summary>
public class Notification
{
    public ObjectId Id { get; set; }

    public string UserId { get; set; } = "";

    public ObjectId BookId { get; set; }

    public ObjectId LoanId { get; set; }

    public string Message { get; set; } = "";

    [AutoNowAdd]
    public DateTime CreatedAt { get; set; }
}
