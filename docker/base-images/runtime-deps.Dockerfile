# Local stand-in for mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled: as lean as the
# real one. No shell, no package manager, just what a Native AOT ASP.NET Core binary needs.
ARG BASE_IMAGE
FROM ${BASE_IMAGE} AS staging

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates libssl3 tzdata \
    && rm -rf /var/lib/apt/lists/*

# Collect the final file system in /rootfs:
# - libc, libm and the dynamic loader: what `ldd` lists for a Native AOT ASP.NET Core binary;
# - libssl and libcrypto: loaded with dlopen for TLS (ldd cannot see that), as in the real image;
# - CA certificates (Debian's own set) and tzdata, without right/ (leap-second variants no .NET time zone uses);
# - user and group `app` 1654, the non-root user the real images define as APP_UID.
RUN set -eu; \
    libdir="$(dirname "$(ldd /bin/true | awk '/libc\.so/ { print $3 }')")"; \
    loader="$(ldd /bin/true | awk '/ld-linux/ { print $1 }')"; \
    mkdir -p "/rootfs${libdir}" "/rootfs$(dirname "${loader}")" /rootfs/etc/ssl/certs \
        /rootfs/usr/share /rootfs/home/app; \
    for lib in libc.so.6 libm.so.6 libssl.so.3 libcrypto.so.3; do \
        cp -L "${libdir}/${lib}" "/rootfs${libdir}/"; \
    done; \
    cp -L "${loader}" "/rootfs${loader}"; \
    cp -L /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/; \
    cp -a /usr/share/zoneinfo /rootfs/usr/share/; \
    rm -rf /rootfs/usr/share/zoneinfo/right; \
    printf 'root:x:0:0:root:/root:/noshell\napp:x:1654:1654:app:/home/app:/noshell\n' > /rootfs/etc/passwd; \
    printf 'root:x:0:\napp:x:1654:\n' > /rootfs/etc/group; \
    chown 1654:1654 /rootfs/home/app

FROM scratch
COPY --from=staging /rootfs /
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
