namespace Tributary.Core.Warehousing;

/// <summary>Calendar and clock units a timestamp can be truncated to (<see cref="ISqlDialect.DateTrunc"/>).</summary>
public enum DateUnit
{
    /// <summary>The start of the minute.</summary>
    Minute,
    /// <summary>The start of the hour.</summary>
    Hour,
    /// <summary>Midnight of the day.</summary>
    Day,
    /// <summary>Monday of the ISO week.</summary>
    Week,
    /// <summary>The first day of the month.</summary>
    Month,
    /// <summary>The first day of the quarter.</summary>
    Quarter,
    /// <summary>January 1st.</summary>
    Year,
}
