package credentials_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/anyscale-go/anyscale/credentials"
)

func ExampleSecret() {
	token := credentials.Secret("aph0_CANARYcanary0123456789abcdefXYZ9")

	fmt.Println(token)
	fmt.Printf("%q %#v\n", token, token)
	fmt.Printf("%+v\n", credentials.File{CLIToken: token})
	fmt.Println(credentials.Secret("aph0_short"))
	fmt.Println(token.Fingerprint())
	// Only Reveal gives the raw value, for the Authorization header.
	fmt.Println("Bearer " + token.Reveal())
	// Output:
	// aph0_…XYZ9
	// "aph0_…XYZ9" credentials.Secret("aph0_…XYZ9")
	// {CLIToken:aph0_…XYZ9 KeyID: ExpiresAt:0001-01-01 00:00:00 +0000 UTC}
	// …
	// sha256:854c0e5ee5e8
	// Bearer aph0_CANARYcanary0123456789abcdefXYZ9
}

func ExampleValidateToken() {
	for _, token := range []string{
		"aph0_CANARYcanary0123456789abcdefXYZ9",
		"sss_CANARYcanary0123456789",
		"aph0_CANARYcanary0123456789abcdefXYZ9\n",
		"CANARYcanary0123456789",
		"",
	} {
		err := credentials.ValidateToken(token)
		fmt.Println(errors.Is(err, credentials.ErrInvalidToken), err)
	}
	// Output:
	// false <nil>
	// false <nil>
	// true invalid Anyscale token: the token has white space at byte 37 of 38; copy it again without spaces or line breaks
	// true invalid Anyscale token: an Anyscale API key starts with "a" and contains "_" (or starts with "sss_"); check that the whole key was copied
	// true invalid Anyscale token: the token is empty
}

func ExampleSave() {
	dir, err := os.MkdirTemp("", "credentials-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, credentials.DirName, credentials.FileName)

	if err := credentials.Save(path, credentials.Secret("aph0_CANARYcanary0123456789abcdefXYZ9")); err != nil {
		log.Fatal(err)
	}
	f, err := credentials.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.CLIToken)
	fmt.Println(f.CLIToken.Reveal() == "aph0_CANARYcanary0123456789abcdefXYZ9")
	fmt.Println(credentials.CheckPermissions(path))
	// Output:
	// aph0_…XYZ9
	// true
	// <nil>
}

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "credentials-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	_, err = credentials.Load(filepath.Join(dir, credentials.FileName))
	fmt.Println(errors.Is(err, os.ErrNotExist))

	path := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(path, []byte(`{"cli_token": ""}`), 0o600); err != nil {
		log.Fatal(err)
	}
	_, err = credentials.Load(path)
	var fe *credentials.FormatError
	fmt.Println(errors.As(err, &fe), errors.Is(err, credentials.ErrNoToken), fe.Detail)
	// Output:
	// true
	// true true cli_token is empty
}
