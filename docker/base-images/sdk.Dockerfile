# Local stand-in for mcr.microsoft.com/dotnet/sdk:10.0-noble-aot, for machines that cannot
# pull it. Built by build.sh from a debootstrap rootfs and the host's own .NET SDK; the build
# context is a tar stream holding this file, usr/share/dotnet and the host CA bundle.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

# What the SDK needs to run (ICU, OpenSSL) and what Native AOT needs to link (clang, binutils
# via clang, zlib headers), as in the real -aot image.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        clang zlib1g-dev libicu72 libssl3 \
    && rm -rf /var/lib/apt/lists/*

# The host's bundle, not Debian's ca-certificates: HTTPS to NuGet goes through an
# intercepting proxy whose CA only the host bundle holds, and `dotnet restore` must trust it.
COPY etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet

ENV DOTNET_ROOT=/usr/share/dotnet \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    NUGET_CERT_REVOCATION_MODE=offline \
    DOTNET_RUNNING_IN_CONTAINER=true
