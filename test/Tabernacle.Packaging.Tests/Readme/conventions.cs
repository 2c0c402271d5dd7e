// The context the README's conventions snippet saves through (db): its own Product and Event types, in any DbContext.
global using Microsoft.EntityFrameworkCore;
global using static ReadmeContext;

public class ConventionsContext(DbContextOptions<ConventionsContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Event> Events => Set<Event>();
}

internal static class ReadmeContext
{
    public static ConventionsContext db = null!;
}
