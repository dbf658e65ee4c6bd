// listmonk's compilation of a campaign, with Go's own html/template as listmonk v6 does it
// (models/campaigns.go CompileTemplate, internal/manager/manager.go's template functions): the template's body
// is the base, the campaign's body is parsed as "content" and attached to it. Prints the message one subscriber
// (first name from the command line) would get.
//
// go run listmonk_compile.go campaign.json template.json FirstName
package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"regexp"
)

type Subscriber struct{ FirstName string }
type Message struct{ Subscriber Subscriber }

// listmonk rewrites these tags to take the message as their argument (models/models.go regTplFuncs).
var tplFuncs = regexp.MustCompile(`{{(\s+)?(TrackView|UnsubscribeURL|ManageURL|OptinURL|MessageURL)(\s+)?}}`)

func read(path string) map[string]any {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var value map[string]any
	if err := json.Unmarshal(data, &value); err != nil {
		panic(err)
	}
	return value
}

func main() {
	campaign, base := read(os.Args[1]), read(os.Args[2])
	funcs := template.FuncMap{
		"UnsubscribeURL": func(Message) string { return "https://listmonk.example/subscription/unsubscribe" },
		"MessageURL":     func(Message) string { return "https://listmonk.example/campaign/view" },
		"TrackView":      func(Message) template.HTML { return "" },
		"Safe":           func(html string) template.HTML { return template.HTML(html) },
	}
	compile := func(name, body string) *template.Template {
		tpl, err := template.New(name).Funcs(funcs).Parse(tplFuncs.ReplaceAllString(body, `{{ ${2} . }}`))
		if err != nil {
			fmt.Fprintf(os.Stderr, "Error compiling %s: %v\n", name, err)
			os.Exit(2)
		}
		return tpl
	}
	baseTpl := compile("base", base["body"].(string))
	content := compile("content", campaign["body"].(string))
	if _, err := baseTpl.AddParseTree("content", content.Tree); err != nil {
		panic(err)
	}
	if err := baseTpl.Execute(os.Stdout, Message{Subscriber{os.Args[3]}}); err != nil {
		fmt.Fprintf(os.Stderr, "Error executing: %v\n", err)
		os.Exit(3)
	}
}
