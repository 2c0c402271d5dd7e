using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LibraryManagement.Endpoints;
using Microsoft.EntityFrameworkCore;

namespace LibraryManagement.Tests;

/// <summary>
/// Bad input of every kind is answered with a 4xx ProblemDetails saying what to fix, never a 500, in Production (the
/// README's main command) where nothing of the server's internals may leak.
/// </summary>
public sealed class ProductionLibraryFactory : LibraryFactory
{
    public ProductionLibraryFactory() => EnvironmentName = "Production";
}

public sealed class ValidationTests(ProductionLibraryFactory factory) : IClassFixture<ProductionLibraryFactory>
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<BookRequest> ValidRequestAsync(string isbn)
    {
        var hobbit = await factory.BookAsync("The Hobbit");
        return new BookRequest("Valid book", "About things.", isbn, hobbit.AuthorId.ToString(), hobbit.CategoryId.ToString(), 2024, 2);
    }

    [Theory]
    [InlineData("page=2147483647", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=2147483647", "pageSize")]
    public async Task Paging_out_of_bounds_is_a_400_naming_the_parameter(string query, string field)
    {
        using var client = factory.CreateClient();
        var problem = await ProblemAsync(await client.GetAsync($"/api/books?{query}"), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_page_that_is_not_a_number_is_a_400()
    {
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/books?page=abc")).StatusCode);
    }

    [Fact]
    public async Task A_20_MB_title_is_a_413_and_a_long_title_a_400()
    {
        using var librarian = await factory.LibrarianAsync();
        var request = await ValidRequestAsync("9781000000009");
        var hugeTitle = request with { Title = new string('t', 20 * 1024 * 1024) };
        var huge = new StringContent(JsonSerializer.Serialize(hugeTitle), Encoding.UTF8, "application/json");
        var tooLarge = await ProblemAsync(await librarian.PostAsync("/api/books", huge), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most", tooLarge.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Under the body limit but over the title's: the title is named. Sent chunked too (no Content-Length).
        var longTitle = await ProblemAsync(
            await librarian.PostAsJsonAsync("/api/books", request with { Title = new string('t', 2_000) }), HttpStatusCode.BadRequest);
        Assert.True(longTitle.GetProperty("errors").TryGetProperty("title", out _));
        var chunked = await librarian.PostAsJsonAsync("/api/books", request with { Title = new string('t', 2 * 1024 * 1024) });
        Assert.True(chunked.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode.ToString());
        Assert.False(await factory.WithDbAsync(db => db.Books.AnyAsync(b => b.Isbn == "9781000000009")));
    }

    [Theory]
    [InlineData("1-234567890")]      // the issue's: wrong ISBN-10 check digit
    [InlineData("1234567890")]
    [InlineData("9780306406158")]    // wrong ISBN-13 check digit
    [InlineData("12")]
    [InlineData("97803064061570")]
    [InlineData("abcdefghij")]
    public async Task Isbns_with_wrong_check_digits_or_shapes_are_a_400(string isbn)
    {
        using var librarian = await factory.LibrarianAsync();
        var response = await librarian.PostAsJsonAsync("/api/books", await ValidRequestAsync(isbn));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("isbn", out _));
    }

    [Fact]
    public async Task An_isbn_10_is_stored_as_its_isbn_13_so_every_spelling_of_it_meets_the_unique_index()
    {
        using var librarian = await factory.LibrarianAsync();
        var created = await librarian.PostAsJsonAsync("/api/books", await ValidRequestAsync("0-306-40615-2"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("9780306406157", (await created.Content.ReadFromJsonAsync<Book>(Json.Options))!.Isbn);
        foreach (var spelling in new[] { "0306406152", "978-0-306-40615-7", "9780306406157", "978 0 306 40615 7" })
        {
            var response = await librarian.PostAsJsonAsync("/api/books", await ValidRequestAsync(spelling));
            var duplicate = await ProblemAsync(response, HttpStatusCode.Conflict);
            Assert.DoesNotContain("9780306406157", duplicate.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(int.MinValue, 1)]
    [InlineData(3000, 1)]
    [InlineData(2000, -1)]
    [InlineData(2000, 10_001)]
    public async Task Years_and_copy_counts_out_of_range_are_a_400(int year, int copies)
    {
        using var librarian = await factory.LibrarianAsync();
        var request = await ValidRequestAsync("9781000000016") with { PublishedYear = year, TotalCopies = copies };
        Assert.Equal(HttpStatusCode.BadRequest, (await librarian.PostAsJsonAsync("/api/books", request)).StatusCode);
    }

    [Fact]
    public async Task A_malformed_body_is_a_400_without_a_stack_trace_or_the_callers_headers()
    {
        using var librarian = await factory.LibrarianAsync();
        var token = librarian.DefaultRequestHeaders.Authorization!.Parameter!;
        var response = await librarian.PostAsync("/api/books", new StringContent("{\"title\": [", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_found_and_unauthorised_answers_are_problem_details()
    {
        using var client = factory.CreateClient();
        await ProblemAsync(await client.GetAsync($"/api/books/{MongoDB.Bson.ObjectId.GenerateNewId()}"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.GetAsync("/api/loans/mine"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await client.GetAsync("/api/no-such-thing"), HttpStatusCode.NotFound);
    }
}
