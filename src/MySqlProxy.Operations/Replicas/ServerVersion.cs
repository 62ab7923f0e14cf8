using System.Globalization;

namespace MySqlProxy.Operations.Replicas;

/// <summary>Compares MariaDB version strings such as "10.11.19-MariaDB-0+deb12u1-log".</summary>
internal static class ServerVersion
{
    /// <summary>The numeric part: "10.11.19".</summary>
    public static string Short(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        int end = 0;
        while (end < version.Length && (char.IsAsciiDigit(version[end]) || version[end] == '.'))
        {
            end++;
        }

        return version[..end].TrimEnd('.');
    }

    /// <summary>
    /// Compares release series (major.minor; patch levels of one series replicate both ways): negative when
    /// <paramref name="a"/> is an older series than <paramref name="b"/>, 0 for the same series, positive when newer.
    /// </summary>
    public static int Compare(string a, string b)
    {
        int[] x = Parts(a);
        int[] y = Parts(b);
        for (int i = 0; i < 2; i++)
        {
            int c = x[i].CompareTo(y[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static int[] Parts(string version)
    {
        string[] parts = Short(version).Split('.');
        int[] numbers = new int[3];
        for (int i = 0; i < 3 && i < parts.Length; i++)
        {
            _ = int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]);
        }

        return numbers;
    }
}
