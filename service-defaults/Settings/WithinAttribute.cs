using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace MinikubeDemo.ServiceDefaults.Settings;

/// <summary>
/// A setting's range, and the one line that names the setting and its value when it is outside. Not
/// <see cref="RangeAttribute"/>: the options validator generator's copy of it ignores ErrorMessage, and none of its
/// message's arguments is the value.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WithinAttribute(string minimum, string maximum) : ValidationAttribute
{
    public string Minimum { get; } = minimum;

    public string Maximum { get; } = maximum;

    /// <summary>The minimum itself is outside, as in (0, 1].</summary>
    public bool MinimumIsExclusive { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        var (low, high) = (Parse(Minimum, value), Parse(Maximum, value));
        var fromLow = ((IComparable)value!).CompareTo(low);
        if ((MinimumIsExclusive ? fromLow > 0 : fromLow >= 0) && ((IComparable)value).CompareTo(high) <= 0)
        {
            return ValidationResult.Success;
        }
        var range = MinimumIsExclusive ? $"in ({low}, {high}]" : $"between {low} and {high}";
        return new ValidationResult($"{SettingName.Of(validationContext.ObjectType, validationContext.MemberName!)} is {value}; it must be {range}.");
    }

    private static IComparable Parse(string bound, object? like) => like switch
    {
        TimeSpan => TimeSpan.Parse(bound, CultureInfo.InvariantCulture),
        int => int.Parse(bound, CultureInfo.InvariantCulture),
        double => double.Parse(bound, CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException($"[Within] on a {like?.GetType().Name ?? "null"} setting"),
    };
}
