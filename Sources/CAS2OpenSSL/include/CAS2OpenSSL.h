// The OpenSSL surface AS2Crypto uses, plus one-line shims for what Swift cannot call
// (function-like macros and composite flag macros). Nothing but AS2Crypto imports this module.
#ifndef CAS2OPENSSL_H
#define CAS2OPENSSL_H
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>

// BIO_get_mem_data is a macro.
long as2_BIO_get_mem_data(BIO *b, char **pp);
// BIO_set_mem_eof_return is a macro; a writable memory BIO reads as "retry" at EOF without it.
long as2_BIO_set_mem_eof_return(BIO *b, int v);
// BIO_flush is a macro.
int as2_BIO_flush(BIO *b);
// BIO_get_cipher_status is a macro; it reports a bad CBC padding or GCM tag after EOF.
long as2_BIO_get_cipher_status(BIO *b);
// BIO_should_retry is a macro.
int as2_BIO_should_retry(BIO *b);
// OPENSSL_free is a macro.
void as2_OPENSSL_free(void *p);
// sk_X509_* are macros.
STACK_OF(X509) *as2_sk_X509_new_null(void);
int as2_sk_X509_push(STACK_OF(X509) *sk, X509 *x);
int as2_sk_X509_num(const STACK_OF(X509) *sk);
X509 *as2_sk_X509_value(const STACK_OF(X509) *sk, int i);
void as2_sk_X509_free(STACK_OF(X509) *sk);
void as2_sk_X509_pop_free(STACK_OF(X509) *sk);
// sk_X509_ALGOR_pop_free is a macro (frees an SMIMECapabilities list).
void as2_sk_X509_ALGOR_pop_free(STACK_OF(X509_ALGOR) *sk);
// sk_CMS_SignerInfo_* and sk_CMS_RecipientInfo_* are macros.
int as2_sk_CMS_SignerInfo_num(STACK_OF(CMS_SignerInfo) *sk);
CMS_SignerInfo *as2_sk_CMS_SignerInfo_value(STACK_OF(CMS_SignerInfo) *sk, int i);
int as2_sk_CMS_RecipientInfo_num(STACK_OF(CMS_RecipientInfo) *sk);
CMS_RecipientInfo *as2_sk_CMS_RecipientInfo_value(STACK_OF(CMS_RecipientInfo) *sk, int i);
// sk_ASN1_OBJECT_* are macros (extended key usage is a stack of OIDs).
int as2_sk_ASN1_OBJECT_num(const STACK_OF(ASN1_OBJECT) *sk);
ASN1_OBJECT *as2_sk_ASN1_OBJECT_value(const STACK_OF(ASN1_OBJECT) *sk, int i);
// XN_FLAG_RFC2253 is a composite macro; without ASN1_STRFLGS_ESC_MSB so UTF-8 names stay readable.
unsigned long as2_XN_FLAG_RFC2253_UTF8(void);

#endif
