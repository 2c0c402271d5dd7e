// The sample's LibraryContext as far as the README's ASP.NET Core snippet uses it: books with a title, loans of a user.
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;

public class Book
{
    public ObjectId Id { get; set; }
    public string Title { get; set; } = "";
}

public class Loan
{
    public ObjectId Id { get; set; }
    public string UserId { get; set; } = "";
}

public class LibraryContext(DbContextOptions<LibraryContext> options) : DbContext(options)
{
    public DbSet<Book> Books => Set<Book>();
    public DbSet<Loan> Loans => Set<Loan>();
}
