package io.tokenfactory.inference.usage;

import org.springframework.data.jpa.repository.JpaRepository;

interface InferenceRequestRepository extends JpaRepository<InferenceRequest, String> {
}
