using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using MongoDB.Bson;

namespace LibraryManagement.Tests;

public sealed class BookEndpointTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    private async Task<BookRequest> ValidRequestAsync(string isbn)
    {
        var hobbit = await factory.BookAsync("The Hobbit");
        return new BookRequest("New book", "About things.", isbn, hobbit.AuthorId.ToString(), hobbit.CategoryId.ToString(), 2024, 2);
    }

    [Fact]
    public async Task The_list_is_paged_and_checks_its_paging()
    {
        using var client = factory.CreateClient();
        var page = await client.GetFromJsonAsync<PagedResult<Book>>("/api/books?page=2&pageSize=2", Json.Options);
        Assert.Equal(2, page!.Items.Count);
        Assert.True(page.Total >= 7);
        Assert.Equal(2, page.Page);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/books?page=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/books?pageSize=1000")).StatusCode);
    }

    [Fact]
    public async Task Available_lists_books_with_copies()
    {
        using var client = factory.CreateClient();
        var books = await client.GetFromJsonAsync<List<Book>>("/api/books/available", Json.Options);
        Assert.NotEmpty(books!);
        Assert.All(books!, b => Assert.True(b.AvailableCopies > 0));
    }

    [Fact]
    public async Task Search_matches_title_or_description_case_insensitively_and_needs_a_query()
    {
        using var client = factory.CreateClient();
        var byTitle = await client.GetFromJsonAsync<List<Book>>("/api/books/search?q=hobbit", Json.Options);
        Assert.Contains(byTitle!, b => b.Title == "The Hobbit");
        var byDescription = await client.GetFromJsonAsync<List<Book>>("/api/books/search?q=CONSENSUS", Json.Options);
        Assert.Equal("Designing Data-Intensive Applications", Assert.Single(byDescription!).Title);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/books/search?q=")).StatusCode);
    }

    [Fact]
    public async Task By_author_and_by_category_list_their_books_or_404()
    {
        using var client = factory.CreateClient();
        var hobbit = await factory.BookAsync("The Hobbit");
        var byAuthor = await client.GetFromJsonAsync<List<Book>>($"/api/books/by-author/{hobbit.AuthorId}", Json.Options);
        Assert.All(byAuthor!, b => Assert.Equal(hobbit.AuthorId, b.AuthorId));
        Assert.Contains(byAuthor!, b => b.Title == "The Fellowship of the Ring");
        var byCategory = await client.GetFromJsonAsync<List<Book>>($"/api/books/by-category/{hobbit.CategoryId}", Json.Options);
        Assert.All(byCategory!, b => Assert.Equal(hobbit.CategoryId, b.CategoryId));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/books/by-author/{ObjectId.GenerateNewId()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/books/by-category/not-an-id")).StatusCode);
    }

    [Fact]
    public async Task Get_returns_the_book_or_404()
    {
        using var client = factory.CreateClient();
        var hobbit = await factory.BookAsync("The Hobbit");
        Assert.Equal("9780547928227", (await client.GetFromJsonAsync<Book>($"/api/books/{hobbit.Id}", Json.Options))!.Isbn);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/books/{ObjectId.GenerateNewId()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/books/xyz")).StatusCode);
    }

    [Fact]
    public async Task Create_is_for_librarians_validates_and_refuses_a_duplicate_isbn()
    {
        var request = await ValidRequestAsync("9781111111113");
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/books", request)).StatusCode);
        using var member = await factory.MemberAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsJsonAsync("/api/books", request)).StatusCode);
        using var librarian = await factory.LibrarianAsync();
        var created = await librarian.PostAsJsonAsync("/api/books", request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var book = (await created.Content.ReadFromJsonAsync<Book>(Json.Options))!;
        Assert.Equal(2, book.AvailableCopies);
        Assert.NotEqual(default, book.CreatedAt);
        Assert.Equal(HttpStatusCode.Conflict, (await librarian.PostAsJsonAsync("/api/books", request)).StatusCode);
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await librarian.PostAsJsonAsync("/api/books", request with { Title = "", Isbn = "12" })).StatusCode);
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await librarian.PostAsJsonAsync("/api/books",
                request with { Isbn = "9782222222224", AuthorId = ObjectId.GenerateNewId().ToString() })).StatusCode);
    }

    [Fact]
    public async Task Update_and_delete_are_for_admins()
    {
        using var librarian = await factory.LibrarianAsync();
        var created =
            await (await librarian.PostAsJsonAsync("/api/books", await ValidRequestAsync("9783333333335"))).Content.ReadFromJsonAsync<Book>(
                Json.Options);
        var update = await ValidRequestAsync("9783333333335") with { Title = "Renamed", TotalCopies = 5 };
        Assert.Equal(HttpStatusCode.Forbidden, (await librarian.PutAsJsonAsync($"/api/books/{created!.Id}", update)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await librarian.DeleteAsync($"/api/books/{created.Id}")).StatusCode);

        using var admin = await factory.AdminAsync();
        var updated = await admin.PutAsJsonAsync($"/api/books/{created.Id}", update);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var book = (await updated.Content.ReadFromJsonAsync<Book>(Json.Options))!;
        Assert.Equal(("Renamed", 5, 5), (book.Title, book.TotalCopies, book.AvailableCopies));
        Assert.True(book.UpdatedAt >= book.CreatedAt);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"/api/books/{ObjectId.GenerateNewId()}", update)).StatusCode);
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await admin.PutAsJsonAsync($"/api/books/{created.Id}", update with { TotalCopies = -1 })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/books/{created.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/books/{created.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_book_on_loan_cannot_be_deleted()
    {
        var book = await factory.NewBookAsync(1);
        using var member = await factory.NewMemberAsync();
        Assert.Equal(
            HttpStatusCode.Created,
            (await member.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()))).StatusCode);
        using var admin = await factory.AdminAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/books/{book.Id}")).StatusCode);
    }

    [Fact]
    public async Task Authors_and_categories_are_listed()
    {
        using var client = factory.CreateClient();
        Assert.Equal(4, (await client.GetFromJsonAsync<List<Author>>("/api/authors", Json.Options))!.Count);
        Assert.Equal(3, (await client.GetFromJsonAsync<List<Category>>("/api/categories", Json.Options))!.Count);
    }
}
