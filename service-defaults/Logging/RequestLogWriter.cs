using System.Text;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// Writes request-log lines to standard output in batches, as an access log is written (nginx's
/// <c>access_log</c> buffer, ASP.NET Core's W3C logger): a request thread only copies its finished line into a
/// buffer, and one background thread writes whatever gathered in the last millisecond with one <c>write(2)</c>.
/// Under load that is one system call and one thread wake-up per batch instead of per request. The price: a
/// request's line can reach standard output a millisecond after a console-logger line written just after it.
/// </summary>
internal sealed class RequestLogWriter : IDisposable
{
    /// <summary>A write of at most PIPE_BUF bytes to a pipe is atomic, so a reader never sees part of one.</summary>
    internal const int MaxWriteBytes = 4096;

    /// <summary>Beyond this, lines are dropped and counted rather than holding requests behind a stuck reader.</summary>
    internal const int MaxPendingBytes = 1 << 20;

    /// <summary>How long the writer lets lines gather after the first one arrives.</summary>
    internal static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan FlushOnDisposeTimeout = TimeSpan.FromSeconds(1.5);

    private readonly Stream _output;
    // A Monitor, not a Lock: the writer thread waits on it for the first line of a batch.
    private readonly object _gate = new();
    private readonly Thread _thread;
    private byte[] _pending = new byte[16 * 1024];
    private byte[] _writing = new byte[16 * 1024];
    private int _pendingLength;
    private long _dropped;
    private bool _stopping;
    private bool _outputBroken;

    public RequestLogWriter(Stream output)
    {
        _output = output;
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "Request log writer" };
        _thread.Start();
    }

    /// <summary>Queues one or more whole lines; returns at once.</summary>
    public void Append(ReadOnlySpan<byte> lines)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            var writerIdle = _pendingLength == 0 && _dropped == 0;
            if (_pendingLength + lines.Length > MaxPendingBytes)
            {
                _dropped++;
            }
            else
            {
                if (_pendingLength + lines.Length > _pending.Length)
                {
                    Array.Resize(ref _pending, Math.Min(MaxPendingBytes, Math.Max(_pending.Length * 2, _pendingLength + lines.Length)));
                }
                lines.CopyTo(_pending.AsSpan(_pendingLength));
                _pendingLength += lines.Length;
            }
            if (writerIdle)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>Writes what is queued, then stops the writer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join(FlushOnDisposeTimeout);
    }

    private void WriteLoop()
    {
        while (true)
        {
            bool stopping;
            lock (_gate)
            {
                while (_pendingLength == 0 && _dropped == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }
                stopping = _stopping;
            }
            if (!stopping)
            {
                Thread.Sleep(BatchWindow);
            }

            int length;
            long dropped;
            lock (_gate)
            {
                (_pending, _writing) = (_writing, _pending);
                length = _pendingLength;
                dropped = _dropped;
                _pendingLength = 0;
                _dropped = 0;
            }
            Write(_writing.AsSpan(0, length));
            if (dropped > 0)
            {
                Write(Encoding.UTF8.GetBytes($"{dropped} request log lines dropped: standard output did not keep up\n"));
            }
            if (stopping)
            {
                return;
            }
        }
    }

    private void Write(ReadOnlySpan<byte> batch)
    {
        while (!batch.IsEmpty && !_outputBroken)
        {
            var take = Math.Min(batch.Length, MaxWriteBytes);
            if (take < batch.Length)
            {
                // Cut after the last whole line; a single line longer than a write goes out alone.
                var lastNewline = batch[..take].LastIndexOf((byte)'\n');
                take = lastNewline >= 0 ? lastNewline + 1 : batch.IndexOf((byte)'\n') + 1 is > 0 and var end ? end : batch.Length;
            }
            try
            {
                // The console logger writes a long line in several pieces (its writer flushes every 256 chars),
                // under the lock of Console.Out; holding it keeps a batch from landing between those pieces.
                lock (Console.Out)
                {
                    _output.Write(batch[..take]);
                }
            }
            catch (Exception)
            {
                // Standard output is gone or unusable (a closed descriptor, a full disk): nowhere left to log to,
                // and this thread has no caller to tell; logging must never stop the service.
                _outputBroken = true;
            }
            batch = batch[take..];
        }
    }
}
