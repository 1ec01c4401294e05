package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// newAccounts builds the accounts service over db.
func newAccounts(db *store.DB) *wiki.Accounts {
	return wiki.NewAccounts(wiki.AccountsConfig{Store: db})
}

// userCmd runs `faqwiki user add|list|set-role|set-password|disable|enable`.
func (m *Main) userCmd(ctx context.Context, cfg config, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: faqwiki user add NAME --role ROLE | list | set-role NAME ROLE | set-password NAME | reset NAME | disable NAME | enable NAME", errUsage)
	}
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	acc := newAccounts(db)
	switch args[0] {
	case "add":
		if len(args) != 2 {
			return fmt.Errorf("%w: faqwiki user add NAME --role ROLE (password on standard input)", errUsage)
		}
		name := args[1]
		r, err := wiki.ParseRole(cfg.role)
		if err != nil {
			return err
		}
		pw, err := m.readPassword()
		if err != nil {
			return err
		}
		a, err := acc.CreateAccount(ctx, wiki.NewAccount{Username: name, DisplayName: cfg.name, Password: pw, Role: r, Cohort: cfg.cohort})
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "created %s (%s)\n", a.Username, a.Role)
	case "list":
		all, err := db.Accounts(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tCOHORT\tSTATUS\tNAME")
		for _, a := range all {
			status := "active"
			if a.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Username, a.Role, orDash(a.Cohort), status, a.DisplayName)
		}
		return tw.Flush()
	case "set-role":
		if len(args) != 3 {
			return fmt.Errorf("%w: faqwiki user set-role NAME ROLE", errUsage)
		}
		r, err := wiki.ParseRole(args[2])
		if err != nil {
			return err
		}
		a, err := acc.SetRole(ctx, args[1], r)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s is now %s\n", a.Username, a.Role)
	case "set-password":
		if len(args) != 2 {
			return fmt.Errorf("%w: faqwiki user set-password NAME (password on standard input)", errUsage)
		}
		pw, err := m.readPassword()
		if err != nil {
			return err
		}
		if err := acc.SetPassword(ctx, args[1], pw); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "password of %s changed; their sessions are ended\n", args[1])
	case "reset":
		if len(args) != 2 {
			return fmt.Errorf("%w: faqwiki user reset NAME", errUsage)
		}
		token, r, err := acc.CreateReset(ctx, args[1], "faqwiki")
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "one-time password reset link for %s; it works once, until %s, and replaces any earlier one:\n", r.Username, r.ExpiresAt.UTC().Format(time.RFC3339))
		fmt.Fprintf(m.Stdout, "%s/reset/%s\n", consoleBase(cfg, cfg.addr), token)
	case "disable", "enable":
		if len(args) != 2 {
			return fmt.Errorf("%w: faqwiki user %s NAME", errUsage, args[0])
		}
		a, err := acc.SetDisabled(ctx, args[1], args[0] == "disable")
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s is %sd\n", a.Username, args[0])
	default:
		return fmt.Errorf("%w: unknown user command %q", errUsage, args[0])
	}
	return nil
}

// tokenCmd runs `faqwiki token create NAME [--name LABEL] | list | revoke ID`.
func (m *Main) tokenCmd(ctx context.Context, cfg config, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: faqwiki token create USER [--name LABEL] | list [USER] | revoke ID", errUsage)
	}
	db, err := openStore(cfg.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	acc := newAccounts(db)
	switch args[0] {
	case "create":
		if len(args) != 2 {
			return fmt.Errorf("%w: faqwiki token create USER [--name LABEL]", errUsage)
		}
		secret, t, err := acc.CreateToken(ctx, args[1], cfg.name)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "token %s for %s; send it as \"Authorization: Bearer <token>\". It is shown only now:\n", t.ID[:12], t.Username)
		fmt.Fprintln(m.Stdout, secret)
	case "list":
		user := ""
		if len(args) > 1 {
			user = strings.ToLower(args[1])
		}
		all, err := db.Tokens(ctx, user)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSER\tCREATED\tNAME")
		for _, t := range all {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID[:12], t.Username, t.CreatedAt.Format("2006-01-02"), t.Name)
		}
		return tw.Flush()
	case "revoke":
		if len(args) != 2 {
			return fmt.Errorf("%w: faqwiki token revoke ID", errUsage)
		}
		t, err := acc.RevokeToken(ctx, args[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "revoked token %s of %s\n", t.ID[:12], t.Username)
	default:
		return fmt.Errorf("%w: unknown token command %q", errUsage, args[0])
	}
	return nil
}

// readPassword reads one line from standard input, so passwords never
// appear in the process list or shell history.
func (m *Main) readPassword() (string, error) {
	if m.Stdin == nil {
		return "", fmt.Errorf("give the password on standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(m.Stdin, wiki.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("give the password on standard input, e.g. echo 'a long passphrase' | faqwiki user add NAME")
	}
	return line, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
