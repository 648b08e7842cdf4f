namespace MinikubeDemo.Contract;

/// <summary>The body both services answer on <c>GET /</c>: <c>{"message":"..."}</c>, as in the course.</summary>
public sealed record MessageResponse(string Message);
