namespace Tributary.Engine.Tests;

/// <summary>A plain client for each call, as a host's factory would give one.</summary>
public sealed class TestHttpClients : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new();
}
