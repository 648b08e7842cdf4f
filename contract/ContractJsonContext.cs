using System.Text.Json;
using System.Text.Json.Serialization;

namespace MinikubeDemo.Contract;

// Source-generated serialization: no reflection, so Native AOT and trimming stay warning-free.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MessageResponse))]
public sealed partial class ContractJsonContext : JsonSerializerContext;
