// A scripted HttpTransport: answers from a queue and records every request.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "helper/system/http_transport.h"

namespace dcu {

class FakeHttp {
 public:
  // Queues one answer: a response, or a transport failure.
  void Respond(int status, std::string body = "", Headers headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    answers_.push_back(r);
  }
  void FailToConnect() { answers_.push_back(Status::Unavailable("POST x: connection refused")); }

  std::unique_ptr<HttpTransport> NewTransport() { return std::make_unique<Transport>(this); }
  const std::vector<HttpRequest>& requests() const { return requests_; }
  // The deadline each request was sent with.
  const std::vector<std::chrono::steady_clock::time_point>& deadlines() const { return deadlines_; }
  std::size_t pending() const { return answers_.size(); }

 private:
  class Transport : public HttpTransport {
   public:
    explicit Transport(FakeHttp* owner) : owner_(owner) {}
    StatusOr<HttpResponse> Send(const HttpRequest& request, std::chrono::steady_clock::time_point deadline) override {
      owner_->requests_.push_back(request);
      owner_->deadlines_.push_back(deadline);
      if (owner_->answers_.empty()) return Status::Unavailable("fake: no answer queued");
      StatusOr<HttpResponse> answer = owner_->answers_.front();
      owner_->answers_.pop_front();
      return answer;
    }

   private:
    FakeHttp* owner_;
  };

  std::deque<StatusOr<HttpResponse>> answers_;
  std::vector<HttpRequest> requests_;
  std::vector<std::chrono::steady_clock::time_point> deadlines_;
};

}  // namespace dcu
