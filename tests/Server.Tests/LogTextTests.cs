using MinikubeDemo.ServiceDefaults.Logging;

namespace MinikubeDemo.Server.Tests;

/// <summary>The one helper through which text from outside reaches a log.</summary>
public sealed class LogTextTests
{
    [Fact]
    public void Terminal_escapes_and_line_breaks_are_written_as_visible_escapes()
    {
        Assert.Equal(@"Received an invalid header line: '\x1b[2J\x1b[31mFAKE LOG LINE\x0d'",
            LogText.Escape("Received an invalid header line: '\u001b[2J\u001b[31mFAKE LOG LINE\r'"));
        Assert.Equal(@"a\x0ab\x00c\x7fd\x85e\x09f", LogText.Escape("a\nb\0c\u007fd\u0085e\tf"));
    }

    [Fact]
    public void Invisible_characters_that_reorder_or_break_a_line_are_escaped()
    {
        // A right-to-left override makes "exe.txt" look like "txt.exe"; U+2028 breaks a line in some viewers.
        Assert.Equal(@"file\u202etxt.exe\u2028next\u200b\ufeff", LogText.Escape("file\u202etxt.exe\u2028next\u200b\ufeff"));
    }

    [Fact]
    public void Ordinary_text_is_returned_as_it_is_without_a_copy()
    {
        const string Text = "Connection refused (minikube-demo-server-service:8000) — café \"x\" \\ 日本";
        Assert.Same(Text, LogText.Escape(Text));
        Assert.Equal("", LogText.Escape(null));
    }

    [Fact]
    public void Long_text_is_cut_and_says_so()
    {
        Assert.Equal("abc...", LogText.Escape("abcdef", maxLength: 3));
        Assert.Equal(@"a\x1b...", LogText.Escape("a\u001bcdef", maxLength: 2));
        Assert.Equal(LogText.DefaultMaxLength + 3, LogText.Escape(new string('x', 100_000)).Length);
        Assert.Equal("abc", LogText.Escape("abc", maxLength: 3));
    }
}
