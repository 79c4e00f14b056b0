#include "CAS2OpenSSL.h"

long as2_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
long as2_BIO_set_mem_eof_return(BIO *b, int v) { return BIO_set_mem_eof_return(b, v); }
int as2_BIO_flush(BIO *b) { return BIO_flush(b); }
long as2_BIO_get_cipher_status(BIO *b) { return BIO_get_cipher_status(b); }
int as2_BIO_should_retry(BIO *b) { return BIO_should_retry(b); }
void as2_OPENSSL_free(void *p) { OPENSSL_free(p); }
STACK_OF(X509) *as2_sk_X509_new_null(void) { return sk_X509_new_null(); }
int as2_sk_X509_push(STACK_OF(X509) *sk, X509 *x) { return sk_X509_push(sk, x); }
int as2_sk_X509_num(const STACK_OF(X509) *sk) { return sk_X509_num(sk); }
X509 *as2_sk_X509_value(const STACK_OF(X509) *sk, int i) { return sk_X509_value(sk, i); }
void as2_sk_X509_free(STACK_OF(X509) *sk) { sk_X509_free(sk); }
void as2_sk_X509_pop_free(STACK_OF(X509) *sk) { sk_X509_pop_free(sk, X509_free); }
void as2_sk_X509_ALGOR_pop_free(STACK_OF(X509_ALGOR) *sk) { sk_X509_ALGOR_pop_free(sk, X509_ALGOR_free); }
int as2_sk_CMS_SignerInfo_num(STACK_OF(CMS_SignerInfo) *sk) { return sk_CMS_SignerInfo_num(sk); }
CMS_SignerInfo *as2_sk_CMS_SignerInfo_value(STACK_OF(CMS_SignerInfo) *sk, int i) { return sk_CMS_SignerInfo_value(sk, i); }
int as2_sk_CMS_RecipientInfo_num(STACK_OF(CMS_RecipientInfo) *sk) { return sk_CMS_RecipientInfo_num(sk); }
CMS_RecipientInfo *as2_sk_CMS_RecipientInfo_value(STACK_OF(CMS_RecipientInfo) *sk, int i) { return sk_CMS_RecipientInfo_value(sk, i); }
int as2_sk_ASN1_OBJECT_num(const STACK_OF(ASN1_OBJECT) *sk) { return sk_ASN1_OBJECT_num(sk); }
ASN1_OBJECT *as2_sk_ASN1_OBJECT_value(const STACK_OF(ASN1_OBJECT) *sk, int i) { return sk_ASN1_OBJECT_value(sk, i); }
unsigned long as2_XN_FLAG_RFC2253_UTF8(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }
