using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace MinikubeDemo.ServiceDefaults.Settings;

/// <summary>
/// A setting's range, and the line naming the setting and its value when it is outside: the options validator
/// generator's copy of RangeAttribute ignores ErrorMessage, and no argument of its message is the value.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WithinAttribute(string minimum, string maximum) : ValidationAttribute
{
    /// <summary>The minimum itself is outside, as in (0, 1].</summary>
    public bool MinimumIsExclusive { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        IComparable Bound(string bound) => value switch
        {
            TimeSpan => TimeSpan.Parse(bound, CultureInfo.InvariantCulture),
            int => int.Parse(bound, CultureInfo.InvariantCulture),
            _ => double.Parse(bound, CultureInfo.InvariantCulture),
        };
        var (low, high, comparable) = (Bound(minimum), Bound(maximum), (IComparable)value!);
        return (MinimumIsExclusive ? comparable.CompareTo(low) > 0 : comparable.CompareTo(low) >= 0) && comparable.CompareTo(high) <= 0
            ? ValidationResult.Success
            : new ValidationResult($"{SettingsCheck.NameOf(validationContext.ObjectType, validationContext.MemberName!)} is {value}; it must be " +
                                   (MinimumIsExclusive ? $"in ({low}, {high}]." : $"between {low} and {high}."));
    }
}
