using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TabernacleApp.Tests;

/// <summary>The API on the in-process emulator that Program.cs starts when no connection string is configured.</summary>
public sealed class TasksApiTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task A_created_task_is_read_back_and_listed()
    {
        using var client = factory.CreateClient();

        var created = await client.PostAsJsonAsync("/api/tasks", new { title = "Write the first test" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var task = await created.Content.ReadFromJsonAsync<TaskView>();

        var fresh = await client.GetFromJsonAsync<TaskView>($"/api/tasks/{task!.Id}");
        Assert.Equal("Write the first test", fresh!.Title);
        Assert.False(fresh.Done);
        Assert.NotEqual(default, fresh.CreatedAt);
    }

    [Fact]
    public async Task An_empty_title_is_a_validation_problem()
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/api/tasks", new { title = "" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_health_check_answers()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/health");

        Assert.NotEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
