/*
 * The OpenSSL GOST engine's side of bench/gost-vs-openssl.sh: the same operations as
 * core/benches/gost.rs, in process, through EVP. Prints "name seconds_per_operation".
 * Build: gcc -O2 -o openssl_gost_speed openssl_gost_speed.c -lcrypto
 * Run with OPENSSL_CONF pointing at tests/fixtures/openssl-gost.cnf.
 */
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIZE (64u << 20)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "%s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

/* Best of `rounds` runs of one pass over 64 MiB. */
/* Encrypts (or, with decrypt set, decrypts) SIZE bytes in place; prints the best time as NAME
   (with " decrypt" appended, as "NAME_decrypt"). */
static void bulk_cipher_way(const char *name, unsigned char *buf, int rounds, int decrypt) {
    const EVP_CIPHER *cipher = EVP_get_cipherbyname(name);
    if (!cipher) die(name);
    unsigned char key[32], iv[16];
    memset(key, 0x5a, sizeof key);
    memset(iv, 2, sizeof iv);
    double best = 1e9;
    for (int r = 0; r < rounds; r++) {
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        int len = 0;
        double start = now();
        if (!EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, !decrypt)) die("init");
        if (!EVP_CipherUpdate(ctx, buf, &len, buf, SIZE)) die("update");
        double took = now() - start;
        EVP_CIPHER_CTX_free(ctx);
        if (took < best) best = took;
    }
    printf("%s%s %.6f\n", name, decrypt ? "_decrypt" : "", best);
}

static void bulk_cipher(const char *name, int iv_len, unsigned char *buf, int rounds) {
    (void)iv_len;
    bulk_cipher_way(name, buf, rounds, 0);
}

static void bulk_digest(const char *name, unsigned char *buf, int rounds) {
    const EVP_MD *md = EVP_get_digestbyname(name);
    if (!md) die(name);
    unsigned char out[64];
    unsigned int out_len;
    double best = 1e9;
    for (int r = 0; r < rounds; r++) {
        double start = now();
        if (!EVP_Digest(buf, SIZE, out, &out_len, md, NULL)) die("digest");
        double took = now() - start;
        if (took < best) best = took;
    }
    printf("%s %.6f\n", name, best);
}

static void signatures(const char *algorithm, const char *paramset, const char *digest, int count) {
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, algorithm, NULL);
    if (!kctx) {
        int nid = OBJ_sn2nid(algorithm);
        kctx = EVP_PKEY_CTX_new_id(nid, NULL);
    }
    EVP_PKEY *key = NULL;
    if (!kctx || EVP_PKEY_keygen_init(kctx) <= 0) die("keygen init");
    if (EVP_PKEY_CTX_ctrl_str(kctx, "paramset", paramset) <= 0) die("paramset");
    if (EVP_PKEY_keygen(kctx, &key) <= 0) die("keygen");
    const EVP_MD *md = EVP_get_digestbyname(digest);
    unsigned char data[64] = {0x42}, sig[128];
    double start = now();
    for (int i = 0; i < count; i++) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        size_t sig_len = sizeof sig;
        if (EVP_DigestSignInit(ctx, NULL, md, NULL, key) <= 0) die("sign init");
        if (EVP_DigestSign(ctx, sig, &sig_len, data, sizeof data) <= 0) die("sign");
        EVP_MD_CTX_free(ctx);
    }
    printf("sign_%s %.9f\n", algorithm, (now() - start) / count);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(kctx);
}

int main(void) {
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
    unsigned char *buf = calloc(SIZE, 1);
    memset(buf, 0x3c, SIZE);
    bulk_digest("md_gost12_256", buf, 3);
    bulk_cipher("gost89", 8, buf, 3);
    bulk_cipher_way("gost89", buf, 3, 1);
    bulk_cipher("kuznyechik-ctr-acpkm", 8, buf, 3);
    signatures("gost2012_256", "TCA", "md_gost12_256", 2000);
    signatures("gost2012_512", "A", "md_gost12_512", 1000);
    free(buf);
    return 0;
}
