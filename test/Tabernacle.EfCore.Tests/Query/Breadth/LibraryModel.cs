using Microsoft.EntityFrameworkCore;

namespace Tabernacle.EfCore.Tests.Query.Breadth;

public class Author
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public string Country { get; set; } = "";

    public List<Book> Books { get; set; } = [];

    public AuthorProfile? Profile { get; set; }
}

public class AuthorProfile
{
    public int Id { get; set; }

    public int AuthorId { get; set; }

    public string Bio { get; set; } = "";

    public Author? Author { get; set; }
}

public class Book
{
    public int Id { get; set; }

    public string Title { get; set; } = "";

    public decimal Price { get; set; }

    public int? AuthorId { get; set; }

    public Author? Author { get; set; }
}

public class LibraryContext(DbContextOptions<LibraryContext> options) : DbContext(options)
{
    public DbSet<Author> Authors => Set<Author>();

    public DbSet<Book> Books => Set<Book>();

    public DbSet<AuthorProfile> Profiles => Set<AuthorProfile>();
}
